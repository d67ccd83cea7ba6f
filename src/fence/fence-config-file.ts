/**
 * fence.cfg, the text: parsing into a FenceConfig and writing one back (docs/fence-cfg.md).
 *
 *     # IPMI first; if it fails, both PDUs must switch the node off
 *     device ipmi fence_ipmilan ip=10.0.0.1 username=admin password_file=/etc/ha-manager/bmc.pw lanplus
 *     connect ipmi node=node1 ipport=623
 *     device pdu:1 fence_apc ip=10.0.0.10 username=apc password="a b"
 *     device pdu:2 fence_apc ip=10.0.0.11 username=apc password="a b"
 *     connect pdu:1 node=node1 plug=3
 *     connect pdu:2 node=node1 plug=3
 *     node node1 watchdog=none
 *     proxy node2 node3
 *
 * Proxmox's HA stack defines the `device` and `connect` lines; `node` and `proxy` lines and the options
 * `timeout=` and `password_file=` are ours. A connect must come after its device (as in Proxmox's
 * format): the file then reads top to bottom, and a typo in a device id cannot pass for a device that
 * some later line might define. Errors name the file and line and never quote a line's text, which may
 * hold a password.
 */
import { checkNodeName } from '../common/node-name.ts';
import { assert } from '../common/assert.ts';
import { ConfigError, splitLines } from '../config/section-config.ts';
import { fenceLevelsFor, type FenceConfig, type FenceConnect, type FenceDevice, type FenceNodeSettings, type FenceOptions } from './fence-config.ts';
import { formatOption, hasControlCharacter, splitLineWords, type LineWord } from './fence-config-words.ts';
import { checkFenceOption, checkNodeLine, formatNodeLine } from './fence-config-checks.ts';

/** A device id: a level name, and an index when the level has more than one device (`pdu:2`). */
export const DEVICE_ID_PATTERN = /^([A-Za-z][A-Za-z0-9_-]*)(?::(0|[1-9][0-9]{0,5}))?$/;

/** Agents are executables found on PATH by name: a path in fence.cfg would run whatever lies there. */
export const AGENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

const LINE_KINDS = ['device', 'connect', 'node', 'proxy'] as const;

interface ParseState {
  readonly file: string;
  readonly devices: FenceDevice[];
  readonly connects: FenceConnect[];
  readonly nodes: Record<string, FenceNodeSettings>;
  proxyOrder: string[] | undefined;
  proxyLine: number;
  /** Every `device` line's id and line, read ahead, to tell "defined later" from "unknown". */
  readonly laterDevices: ReadonlyMap<string, number>;
}

export function parseFenceConfig(text: string, file: string): FenceConfig {
  const { lines } = splitLines(text);
  const state: ParseState = { file, devices: [], connects: [], nodes: {}, proxyOrder: undefined, proxyLine: 0, laterDevices: deviceLines(lines) };
  lines.forEach((stored, index) => parseLine(state, stored.endsWith('\r') ? stored.slice(0, -1) : stored, index + 1));
  const config: FenceConfig = { devices: state.devices, connects: state.connects, nodes: state.nodes, proxyOrder: state.proxyOrder ?? [] };
  for (const [node, settings] of Object.entries(config.nodes)) {
    if (settings.watchdog === 'none' && fenceLevelsFor(config, node).length === 0) {
      throw new ConfigError(file, settings.line, `Node ${node} has watchdog=none but no complete fence level: connect it to every device of at least one level`);
    }
  }
  return config;
}

function deviceLines(lines: readonly string[]): Map<string, number> {
  const found = new Map<string, number>();
  lines.forEach((line, index) => {
    const match = /^[ \t]*device[ \t]+(\S+)/.exec(line);
    if (match && !found.has(match[1]!)) found.set(match[1]!, index + 1);
  });
  return found;
}

function parseLine(state: ParseState, raw: string, line: number): void {
  if (hasControlCharacter(raw)) throw new ConfigError(state.file, line, 'Control character in line, not a text config file');
  const words = splitLineWords(raw);
  if (typeof words === 'string') throw new ConfigError(state.file, line, words);
  if (words.length === 0) return;
  const [kind, ...rest] = words;
  switch (kind!.text) {
    case 'device':
      return parseDevice(state, rest, line);
    case 'connect':
      return parseConnect(state, rest, line);
    case 'node':
      return parseNode(state, rest, line);
    case 'proxy':
      return parseProxy(state, rest, line);
    default:
      throw new ConfigError(state.file, line, `Unknown line kind '${printable(kind!.text)}': expected one of ${LINE_KINDS.join(', ')}`);
  }
}

function parseDevice(state: ParseState, words: readonly LineWord[], line: number): void {
  const fail = (problem: string): never => {
    throw new ConfigError(state.file, line, problem);
  };
  if (words.length < 2) fail("Expected 'device <name>[:<n>] <agent> [option[=value] ...]'");
  const id = words[0]!.text;
  const match = DEVICE_ID_PATTERN.exec(id) ?? fail(`Bad device id '${printable(id)}': a name (letters, digits, '_', '-'), then optionally ':' and a number`);
  const name = match[1]!;
  const agent = words[1]!.text;
  if (!AGENT_NAME_PATTERN.test(agent)) fail(`Bad agent '${printable(agent)}': the name of an executable on PATH, e.g. fence_ipmilan`);
  const same = state.devices.find((device) => device.id === id);
  if (same) fail(`Duplicate device '${id}' (first defined on line ${same.line})`);
  const sibling = state.devices.find((device) => device.name === name);
  if (sibling && (sibling.id === name) !== (id === name)) {
    fail(`Device '${id}' mixes '${name}' and '${name}:<n>' (line ${sibling.line} has '${sibling.id}'): number every device of a level, or give the level one device`);
  }
  const options = parseOptions(state.file, words.slice(2), line);
  state.devices.push({ id, name, agent, options, line });
}

function parseConnect(state: ParseState, words: readonly LineWord[], line: number): void {
  const fail = (problem: string): never => {
    throw new ConfigError(state.file, line, problem);
  };
  if (words.length < 2) fail("Expected 'connect <name>[:<n>] node=<node> [plug=<p>] [option[=value] ...]'");
  const deviceId = words[0]!.text;
  if (!state.devices.some((device) => device.id === deviceId)) {
    const later = state.laterDevices.get(deviceId);
    if (later !== undefined) fail(`Device '${deviceId}' is defined later, on line ${later}: define a device before connecting nodes to it`);
    const known = state.devices.map((device) => device.id);
    fail(`Unknown device '${printable(deviceId)}'${known.length > 0 ? ` (known: ${known.join(', ')})` : ' (no device is defined above this line)'}`);
  }
  const { node: nodeOption, ...options } = parseOptions(state.file, words.slice(1), line);
  if (nodeOption === undefined) fail(`Connect to '${deviceId}' without node=<node>`);
  const node = checkNodeName(nodeOption!);
  if (!node.ok) return fail(node.problem);
  const twice = state.connects.find((connect) => connect.deviceId === deviceId && connect.node === node.value);
  if (twice) fail(`Node ${node.value} is connected to '${deviceId}' twice (first on line ${twice.line})`);
  state.connects.push({ deviceId, node: node.value, options, line });
}

function parseNode(state: ParseState, words: readonly LineWord[], line: number): void {
  if (words.length < 1) throw new ConfigError(state.file, line, "Expected 'node <node> [watchdog=none] [soft_check=<cmd> soft_fence=<cmd>] [soft_grace=<seconds>]'");
  const node = checkNodeName(words[0]!.text);
  if (!node.ok) throw new ConfigError(state.file, line, node.problem);
  if (Object.hasOwn(state.nodes, node.value)) throw new ConfigError(state.file, line, `Duplicate node line for ${node.value} (first on line ${state.nodes[node.value]!.line})`);
  const options = optionMap(state.file, words.slice(1), line);
  const settings = checkNodeLine(options, line);
  if (typeof settings === 'string') throw new ConfigError(state.file, line, settings);
  state.nodes[node.value] = settings;
}

function parseProxy(state: ParseState, words: readonly LineWord[], line: number): void {
  if (state.proxyOrder !== undefined) throw new ConfigError(state.file, line, `Duplicate proxy line (first on line ${state.proxyLine}): list every proxy on one line, in order`);
  if (words.length === 0) throw new ConfigError(state.file, line, "Expected 'proxy <node> [<node> ...]'");
  const order: string[] = [];
  for (const word of words) {
    const node = checkNodeName(word.text);
    if (!node.ok) throw new ConfigError(state.file, line, node.problem);
    if (order.includes(node.value)) throw new ConfigError(state.file, line, `Node ${node.value} is listed twice in the proxy order`);
    order.push(node.value);
  }
  state.proxyOrder = order;
  state.proxyLine = line;
}

/** The `key[=value]` words of a line, each key once. */
function optionMap(file: string, words: readonly LineWord[], line: number): Map<string, string> {
  const options = new Map<string, string>();
  for (const word of words) {
    if (word.key === undefined || word.value === undefined) throw new ConfigError(file, line, `Expected an option (key or key=value), found '${printable(word.text)}'`);
    if (options.has(word.key)) throw new ConfigError(file, line, `Option '${word.key}' given twice`);
    options.set(word.key, word.value);
  }
  return options;
}

/** Agent options of a device or connect line, with our own (`timeout`, `password_file`) checked. */
function parseOptions(file: string, words: readonly LineWord[], line: number): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [key, value] of optionMap(file, words, line)) {
    const problem = checkFenceOption(key, value);
    if (problem !== undefined) throw new ConfigError(file, line, problem);
    options[key] = value;
  }
  return options;
}

/** A word for an error message: the parser reached it before knowing whether it holds a secret, so it is cut short. */
function printable(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * fence.cfg text for `config`: each device followed by its connects, then the node lines and the proxy
 * line. parseFenceConfig reads it back to the same devices, nodes and proxy order; connects come back
 * grouped by device, which changes no level.
 */
export function formatFenceConfig(config: FenceConfig): string {
  const lines: string[] = [];
  for (const device of config.devices) {
    lines.push(formatDeviceLine(device));
    for (const connect of config.connects) if (connect.deviceId === device.id) lines.push(formatConnectLine(connect));
  }
  for (const connect of config.connects) assert(config.devices.some((device) => device.id === connect.deviceId), `Connect of ${connect.node} to unknown device ${connect.deviceId}`);
  for (const [node, settings] of Object.entries(config.nodes)) lines.push(formatNodeLine(node, settings));
  if (config.proxyOrder.length > 0) lines.push(['proxy', ...config.proxyOrder].join(' '));
  return lines.map((line) => `${line}\n`).join('');
}

export function formatDeviceLine(device: Pick<FenceDevice, 'id' | 'agent' | 'options'>): string {
  return ['device', device.id, device.agent, ...formatOptions(device.options)].join(' ');
}

export function formatConnectLine(connect: Pick<FenceConnect, 'deviceId' | 'node' | 'options'>): string {
  return ['connect', connect.deviceId, `node=${connect.node}`, ...formatOptions(connect.options)].join(' ');
}

function formatOptions(options: FenceOptions): string[] {
  return Object.entries(options).map(([key, value]) => {
    assert(!hasControlCharacter(value), `Fence option ${key} holds a control character`);
    return formatOption(key, value);
  });
}
