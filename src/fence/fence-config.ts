/**
 * fence.cfg as the daemons use it (DESIGN.md "External fencing"): fence devices, the nodes they are
 * connected to, and per node what else fencing it involves. Parsed from the file by
 * src/fence/fence-config-file.ts; this module holds the shapes and the pure questions the master and a
 * fence proxy ask of them.
 *
 * A device id is `<name>` or `<name>:<n>`; devices that share a name form one **level**, and levels are
 * tried in the order their names first appear in the file. Every device of a level must succeed.
 */

/** Agent options as `key=value`; a key with no value holds ''. Values may be secrets: see isSecretOption. */
export type FenceOptions = Readonly<Record<string, string>>;

export interface FenceDevice {
  /** `power:1`, or `ipmi` when the name has no index. */
  readonly id: string;
  /** The level this device belongs to: the id before the colon. */
  readonly name: string;
  /** The agent's executable name, e.g. `fence_ipmilan`. */
  readonly agent: string;
  readonly options: FenceOptions;
  /** Line in fence.cfg, for errors. */
  readonly line: number;
}

export interface FenceConnect {
  readonly deviceId: string;
  readonly node: string;
  /** `plug` and any other options for this node; they are added to (and override) the device's. */
  readonly options: FenceOptions;
  readonly line: number;
}

/** A node's own fencing settings (`node <name> ...` lines of fence.cfg). */
export interface FenceNodeSettings {
  /** `none`: the node runs without a watchdog; only the agent, kdump and operator proofs recover its services. */
  readonly watchdog: 'default' | 'none';
  /** Soft fencing: a command (run on a proxy) that exits 0 while the node's host still answers. */
  readonly softCheck?: string;
  /** Soft fencing: the command that restarts the node's LRM (e.g. over SSH), run when the check passes. */
  readonly softFence?: string;
  /** How long, in seconds, a soft-fenced node has to come back before it is hard fenced. */
  readonly softGraceS?: number;
  readonly line: number;
}

export interface FenceConfig {
  /** In file order. */
  readonly devices: readonly FenceDevice[];
  readonly connects: readonly FenceConnect[];
  readonly nodes: Readonly<Record<string, FenceNodeSettings>>;
  /** Nodes to ask first to run a fence (then every other online node, by name); `proxy` line. */
  readonly proxyOrder: readonly string[];
}

export const EMPTY_FENCE_CONFIG: FenceConfig = { devices: [], connects: [], nodes: {}, proxyOrder: [] };

/** One device call for one node: the device's options with the node's connect options added. */
export interface FenceStep {
  readonly deviceId: string;
  readonly agent: string;
  readonly options: FenceOptions;
  /** Per call, seconds: the device's `timeout=` option, else DEFAULT_FENCE_CALL_TIMEOUT_S. */
  readonly timeoutS: number;
}

export interface FenceLevel {
  readonly name: string;
  readonly steps: readonly FenceStep[];
  /** Every device of the level is `fence_kdump`: its success proves a crash dump, not a power-off. */
  readonly isKdump: boolean;
}

/** fence_ipmilan's off with its default power wait takes ~2.5 s; an unreachable BMC fails after ~20 s. */
export const DEFAULT_FENCE_CALL_TIMEOUT_S = 60;

/** Options of ours that configure the call and never reach the agent. */
export const RUNNER_OPTIONS: ReadonlySet<string> = new Set(['timeout', 'password_file']);

/**
 * The levels that would run to fence `node`, in order: each level holds the devices of that name the
 * node is connected to. A level with a device the node is not connected to is left out: all of a
 * level's devices must succeed, and an unconnected one cannot.
 */
export function fenceLevelsFor(config: FenceConfig, node: string): FenceLevel[] {
  const connects = new Map<string, FenceConnect>();
  for (const connect of config.connects) if (connect.node === node) connects.set(connect.deviceId, connect);
  const byName = new Map<string, FenceDevice[]>();
  for (const device of config.devices) {
    const devices = byName.get(device.name);
    if (devices) devices.push(device);
    else byName.set(device.name, [device]);
  }
  const levels: FenceLevel[] = [];
  for (const [name, devices] of byName) {
    if (!devices.every((device) => connects.has(device.id))) continue;
    const steps = devices.map((device) => stepFor(device, connects.get(device.id)!));
    levels.push({ name, steps, isKdump: steps.every((step) => step.agent === 'fence_kdump') });
  }
  return levels;
}

function stepFor(device: FenceDevice, connect: FenceConnect): FenceStep {
  const options = { ...device.options, ...connect.options };
  const timeout = Number(options['timeout']);
  const timeoutS = Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_FENCE_CALL_TIMEOUT_S;
  return { deviceId: device.id, agent: device.agent, options, timeoutS };
}

export function nodeFenceSettings(config: FenceConfig, node: string): FenceNodeSettings | undefined {
  return Object.hasOwn(config.nodes, node) ? config.nodes[node] : undefined;
}

/** True when the node has no watchdog: a lease take proves nothing about it. No fence.cfg: every node has one. */
export function isWithoutWatchdog(config: FenceConfig | undefined, node: string): boolean {
  return config !== undefined && nodeFenceSettings(config, node)?.watchdog === 'none';
}

/** Option names whose values are never shown, logged or put in JSON (fence agents' own names for secrets). */
export function isSecretOption(key: string): boolean {
  return /passw|passwd|secret|token|community|private|key$|_key|credential|auth_key/i.test(key) && key !== 'password_file';
}

/** The options with every secret value replaced by `***`. */
export function maskSecrets(options: FenceOptions): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) masked[key] = isSecretOption(key) ? '***' : value;
  return masked;
}
