/**
 * What `ha-manager fence config` and `ha-manager fence plan` show: fence.cfg and the levels each node's
 * fence would run, every secret option (isSecretOption) as `***` — in text and in JSON alike.
 */
import { formatConnectLine, formatDeviceLine } from '../fence/fence-config-file.ts';
import { fenceLevelsFor, maskSecrets, nodeFenceSettings, type FenceConfig, type FenceNodeSettings } from '../fence/fence-config.ts';
import { formatOption } from '../fence/fence-config-words.ts';

/** fence.cfg's text with its device and connect lines written again with secrets masked; comments as they are. */
export function maskedConfigText(text: string, config: FenceConfig): string {
  const replaced = new Map<number, string>();
  for (const device of config.devices) replaced.set(device.line, formatDeviceLine({ ...device, options: maskSecrets(device.options) }));
  for (const connect of config.connects) replaced.set(connect.line, formatConnectLine({ ...connect, options: maskSecrets(connect.options) }));
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  return lines.map((line, index) => `${replaced.get(index + 1) ?? line}\n`).join('');
}

export interface NodeSettingsView {
  readonly watchdog: 'default' | 'none';
  readonly soft_check?: string;
  readonly soft_fence?: string;
  readonly soft_grace_s?: number;
}

export interface FenceConfigView {
  readonly devices: ReadonlyArray<{ id: string; level: string; agent: string; options: Record<string, string> }>;
  readonly connects: ReadonlyArray<{ device: string; node: string; options: Record<string, string> }>;
  readonly nodes: Readonly<Record<string, NodeSettingsView>>;
  readonly proxy_order: readonly string[];
}

export function fenceConfigView(config: FenceConfig): FenceConfigView {
  return {
    devices: config.devices.map((device) => ({ id: device.id, level: device.name, agent: device.agent, options: maskSecrets(device.options) })),
    connects: config.connects.map((connect) => ({ device: connect.deviceId, node: connect.node, options: maskSecrets(connect.options) })),
    nodes: Object.fromEntries(Object.entries(config.nodes).map(([node, settings]) => [node, settingsView(settings)])),
    proxy_order: config.proxyOrder,
  };
}

function settingsView(settings: FenceNodeSettings): NodeSettingsView {
  return {
    watchdog: settings.watchdog,
    ...(settings.softCheck !== undefined ? { soft_check: settings.softCheck } : {}),
    ...(settings.softFence !== undefined ? { soft_fence: settings.softFence } : {}),
    ...(settings.softGraceS !== undefined ? { soft_grace_s: settings.softGraceS } : {}),
  };
}

export interface NodePlan extends NodeSettingsView {
  readonly node: string;
  readonly levels: ReadonlyArray<{
    readonly level: string;
    readonly kdump: boolean;
    readonly devices: ReadonlyArray<{ id: string; agent: string; timeout_s: number; options: Record<string, string> }>;
  }>;
  /** Levels the node is connected to only in part: skipped, since every device of a level must succeed. */
  readonly skipped: ReadonlyArray<{ readonly level: string; readonly not_connected: readonly string[] }>;
}

export interface FencePlan {
  readonly proxy_order: readonly string[];
  readonly nodes: readonly NodePlan[];
}

export function fencePlan(config: FenceConfig, nodes: readonly string[]): FencePlan {
  return { proxy_order: config.proxyOrder, nodes: nodes.map((node) => nodePlan(config, node)) };
}

function nodePlan(config: FenceConfig, node: string): NodePlan {
  const levels = fenceLevelsFor(config, node).map((level) => ({
    level: level.name,
    kdump: level.isKdump,
    devices: level.steps.map((step) => ({ id: step.deviceId, agent: step.agent, timeout_s: step.timeoutS, options: maskSecrets(step.options) })),
  }));
  const connected = new Set(config.connects.filter((connect) => connect.node === node).map((connect) => connect.deviceId));
  const skipped: Array<NodePlan['skipped'][number]> = [];
  for (const name of new Set(config.devices.map((device) => device.name))) {
    const ids = config.devices.filter((device) => device.name === name).map((device) => device.id);
    const missing = ids.filter((id) => !connected.has(id));
    if (missing.length > 0 && missing.length < ids.length) skipped.push({ level: name, not_connected: missing });
  }
  const settings = nodeFenceSettings(config, node);
  return { node, ...(settings ? settingsView(settings) : { watchdog: 'default' }), levels, skipped };
}

export function renderFencePlan(plan: FencePlan): string {
  const lines: string[] = [];
  const proxies = plan.proxy_order.length > 0 ? `${plan.proxy_order.join(', ')}, then any other online node` : 'any online node';
  lines.push(`Proxy (runs a fence): ${proxies}, never the node being fenced`);
  for (const node of plan.nodes) {
    lines.push('', `${node.node}: watchdog ${node.watchdog === 'none' ? 'none (recovered only on the agent, kdump or operator proofs)' : 'default'}`);
    if (node.soft_fence !== undefined) {
      const grace = node.soft_grace_s !== undefined ? `${node.soft_grace_s} s` : 'the default';
      lines.push(`  soft fence first: while ${JSON.stringify(node.soft_check)} succeeds, run ${JSON.stringify(node.soft_fence)}, grace ${grace}`);
    }
    if (node.levels.length === 0) lines.push('  no fence level: fenced by its watchdog alone');
    node.levels.forEach((level, index) => {
      const all = level.devices.length > 1 ? `, all ${level.devices.length} must succeed` : '';
      lines.push(`  level ${index + 1}: ${level.level}${level.kdump ? ' (kdump: proves a crash dump, powers nothing off)' : ''}${all}`);
      for (const device of level.devices) {
        const options = Object.entries(device.options).map(([key, value]) => formatOption(key, value));
        lines.push(`    ${device.id}  ${device.agent}  timeout ${device.timeout_s} s  ${options.join(' ')}`.trimEnd());
      }
    });
    for (const skipped of node.skipped) lines.push(`  skipped level ${skipped.level}: not connected to ${skipped.not_connected.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
