import { assert } from '../common/assert.ts';
import type { Prng } from '../common/prng.ts';
import { formatFenceConfig, parseFenceConfig } from '../fence/fence-config-file.ts';
import type { FenceConfig, FenceConnect, FenceDevice, FenceNodeSettings } from '../fence/fence-config.ts';

/** The share of seeds that get a fence.cfg (the others run as before: watchdogs alone). */
export const FENCE_SEED_SHARE = 0.4;
/** Fence faults in one run: enough for a device to fail, hang and recover while nodes are lost. */
const FENCE_EVENTS_MAX = 8;
/** A fault a device recovers from later, at most this long after (else at the heal). */
const DEVICE_FAULT_S_MAX = 300;

export interface FenceSchedule {
  readonly config: FenceConfig;
  /** Commands by batch index, as rule-schedule.ts gives them. */
  readonly commands: Map<number, string[]>;
}

/**
 * A fence.cfg for a plan and its fence faults, as a schedule of the whole plan (like rule-schedule.ts):
 * - per node one or two levels out of a kdump level (first: a dumping node is not power-cycled), its
 *   own IPMI, and a PDU level of one or two devices that must all switch it off; some nodes none;
 * - sometimes one node with a power level runs without a watchdog (`watchdog=none`), some have a soft
 *   fence, and sometimes a proxy order;
 * - faults: a device fails, hangs or turns slow, and mostly recovers at a random moment; a node
 *   crashes into kdump and is powered on again later.
 * The config goes through fence.cfg's own formatter and parser, so it is one the daemons accept and a
 * written-out scenario replays it.
 */
export function fenceSchedule(prng: Prng, context: { nodes: readonly string[]; slots: number }): FenceSchedule {
  const { nodes, slots } = context;
  assert(nodes.length >= 3 && slots >= 1, `A fence schedule needs 3 nodes and a slot, got ${nodes.length} and ${slots}`);
  const config = parseFenceConfig(formatFenceConfig(generateFenceConfig(prng, nodes)), 'chaos fence.cfg');
  const commands = new Map<number, string[]>();
  const events = 1 + prng.int(FENCE_EVENTS_MAX);
  for (let event = 0; event < events; event++) {
    const batch = 1 + prng.int(slots);
    commands.set(batch, [...(commands.get(batch) ?? []), ...fenceEvent(prng, config, nodes)]);
  }
  return { config, commands };
}

function between(prng: Prng, low: number, high: number): number {
  return low + prng.int(high - low + 1);
}

function generateFenceConfig(prng: Prng, nodes: readonly string[]): FenceConfig {
  const hasKdump = prng.next() < 0.5;
  const pduCount = prng.next() < 0.5 ? 1 + prng.int(2) : 0;
  const pduIds = pduCount === 1 ? ['pdu'] : Array.from({ length: pduCount }, (_, index) => `pdu:${index + 1}`);
  const kdump: FenceDevice[] = hasKdump ? [device('kdump', 'fence_kdump', { timeout: String(between(prng, 10, 60)) })] : [];
  const ipmis: FenceDevice[] = [];
  const pdus = pduIds.map((id, index) => device(id, 'fence_apc', { ip: `10.0.1.${index + 1}`, username: 'apc', password_file: '/etc/ha-manager/pdu.pw', timeout: String(between(prng, 5, 20)) }));
  const connects: FenceConnect[] = [];
  const powerFenced: string[] = [];
  nodes.forEach((node, index) => {
    const kinds = [...(hasKdump ? ['kdump'] : []), 'ipmi', ...(pduCount > 0 ? ['pdu'] : [])].filter(() => prng.next() < 0.7).slice(0, 1 + prng.int(2));
    if (kinds.includes('ipmi')) {
      ipmis.push(device(`ipmi-${node}`, 'fence_ipmilan', { ip: `10.0.0.${index + 1}`, username: 'admin', password_file: '/etc/ha-manager/bmc.pw', lanplus: '', timeout: String(between(prng, 10, 30)) }));
      connects.push(connect(`ipmi-${node}`, node, {}));
    }
    if (kinds.includes('kdump')) connects.push(connect('kdump', node, {}));
    if (kinds.includes('pdu')) for (const id of pduIds) connects.push(connect(id, node, { plug: String(index + 1) }));
    if (kinds.includes('ipmi') || kinds.includes('pdu')) powerFenced.push(node);
  });
  const settings: Record<string, FenceNodeSettings> = {};
  const withoutWatchdog = powerFenced.length > 0 && prng.next() < 0.3 ? powerFenced[prng.int(powerFenced.length)] : undefined;
  for (const node of nodes) {
    const soft = prng.next() < 0.3 ? { softCheck: `ssh ${node} true`, softFence: `ssh ${node} systemctl restart ha-lrm`, softGraceS: between(prng, 20, 120) } : {};
    if (node === withoutWatchdog || soft.softFence !== undefined) settings[node] = { watchdog: node === withoutWatchdog ? 'none' : 'default', ...soft, line: 0 };
  }
  const proxyOrder = prng.next() < 0.3 ? [nodes[prng.int(nodes.length)]!] : [];
  return { devices: [...kdump, ...ipmis, ...pdus], connects, nodes: settings, proxyOrder };
}

function device(id: string, agent: string, options: Record<string, string>): FenceDevice {
  return { id, name: id.split(':')[0]!, agent, options, line: 0 };
}

function connect(deviceId: string, node: string, options: Record<string, string>): FenceConnect {
  return { deviceId, node, options, line: 0 };
}

/** One fence fault and, mostly, its end, at random moments of a slot (`after` is clamped before the heal by the plan). */
function fenceEvent(prng: Prng, config: FenceConfig, nodes: readonly string[]): string[] {
  const start = prng.int(100);
  const at = (seconds: number, command: string) => `after ${seconds} ${command}`;
  const draw = prng.next();
  if (draw < 0.25 || config.devices.length === 0) {
    const dumpers = config.connects.filter((entry) => entry.deviceId === 'kdump').map((entry) => entry.node);
    const node = dumpers.length > 0 && prng.next() < 0.8 ? dumpers[prng.int(dumpers.length)]! : nodes[prng.int(nodes.length)]!;
    return [at(start, `crash ${node} kdump`), at(start + between(prng, 30, DEVICE_FAULT_S_MAX), `power ${node} on`)];
  }
  const deviceId = config.devices[prng.int(config.devices.length)]!.id;
  const fault = draw < 0.5 ? 'fail' : draw < 0.75 ? 'hang' : `slow ${between(prng, 2, 40)}`;
  const recovery = prng.next() < 0.8 ? [at(start + between(prng, 5, DEVICE_FAULT_S_MAX), `fence-device ${deviceId} ok`)] : [];
  return [at(start, `fence-device ${deviceId} ${fault}`), ...recovery];
}
