/**
 * The edits of `ha-manager fence device|connect|node|proxy` on fence.cfg (docs/fence-cfg.md), each a
 * change of whole lines of a FenceDocument, and the read-modify-write (compare-and-set) that runs them. Refusals
 * are ConfigRefused (exit 2) and never hold an option's value: it may be a password.
 */
import { AGENT_NAME_PATTERN, DEVICE_ID_PATTERN, formatConnectLine, formatDeviceLine } from '../fence/fence-config-file.ts';
import { checkNodeLine, formatNodeLine } from '../fence/fence-config-checks.ts';
import type { FenceConnect, FenceDevice, FenceNodeSettings } from '../fence/fence-config.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { ConfigRefused } from './config-edit.ts';
import { FenceDocument } from './fence-document.ts';
import { ConfigUnavailable, readConfigText } from './load-config.ts';

/** fence.cfg holds passwords: only its owner (root) reads it. */
export const FENCE_CFG_MODE = 0o600;

/** Options to set and keys to remove. */
export interface OptionChange {
  readonly set: Readonly<Record<string, string>>;
  readonly delete: readonly string[];
}

/** Edits that lost the compare-and-set this often in a row give up (as config-edit.ts does). */
const FENCE_EDIT_ATTEMPTS_MAX = 20;

/**
 * One read-modify-write of fence.cfg in the store, written only when it changed: by compare-and-set on
 * the version read (dir: under the config lock, mode 0600, atomically; etcd: a txn on the key's
 * revision), read again and retried when another edit came first, so none is lost. A dir store's own errno error is
 * rethrown as it is (its messages say what to do); another failure is ConfigUnavailable.
 */
export function editFenceConfig<T>(store: ClusterStore, edit: (document: FenceDocument) => T): T {
  for (let attempt = 1; ; attempt++) {
    const { document, version } = readFenceDocument(store);
    const before = document.render();
    const result = edit(document);
    const after = document.render();
    if (after === before) return result;
    const written = store.config.write('fence.cfg', after, version);
    if (written.kind === 'written') return result;
    if (written.kind === 'unavailable' && written.cause instanceof Error) throw written.cause;
    if (written.kind === 'unavailable') throw new ConfigUnavailable(`${store.configName('fence.cfg')}: not written: ${written.message}`);
    if (attempt >= FENCE_EDIT_ATTEMPTS_MAX) throw new ConfigUnavailable(`${store.configName('fence.cfg')}: not written: it changed under ${FENCE_EDIT_ATTEMPTS_MAX} attempts in a row`);
  }
}

/** fence.cfg of the store as a document ('' when there is none yet) and the version it was read at. */
export function readFenceDocument(store: ClusterStore): { readonly document: FenceDocument; readonly version: string | undefined } {
  const read = readConfigText(store, 'fence.cfg');
  return { document: FenceDocument.parse(read?.text ?? '', store.configName('fence.cfg')), version: read?.version };
}

export function addDevice(document: FenceDocument, device: Pick<FenceDevice, 'id' | 'agent' | 'options'>): void {
  if (!DEVICE_ID_PATTERN.test(device.id)) throw new ConfigRefused(`Bad device id '${withoutValue(device.id)}': a name (a letter, then letters, digits, '_', '-'), then optionally ':' and a number, e.g. pdu:1`);
  checkAgentName(device.agent);
  const same = document.config.devices.find((existing) => existing.id === device.id);
  if (same) throw new ConfigRefused(`Device '${device.id}' exists (${document.file} line ${same.line}); change it with 'ha-manager fence device set ${device.id}'`);
  const name = device.id.split(':', 1)[0]!;
  const level = document.config.devices.filter((existing) => existing.name === name);
  // A new device of a level goes after the level's last device or connect; a new level goes last (it is tried last).
  const after = level.length === 0 ? document.lineCount : lastLineOf(document, new Set(level.map((existing) => existing.id)));
  document.insertAfter(after, formatDeviceLine(device));
}

export function setDevice(document: FenceDocument, request: { readonly id: string; readonly agent?: string; readonly change: OptionChange }): void {
  const device = existingDevice(document, request.id);
  if (request.agent !== undefined) checkAgentName(request.agent);
  const options = changedOptions(device.options, request.change, `Device '${device.id}'`);
  document.replaceLine(device.line, formatDeviceLine({ id: device.id, agent: request.agent ?? device.agent, options }));
}

/** Removes a device; its connects too with `force`, else a connected device is refused. */
export function removeDevice(document: FenceDocument, request: { readonly id: string; readonly force: boolean }): void {
  const device = existingDevice(document, request.id);
  const connects = document.config.connects.filter((connect) => connect.deviceId === device.id);
  if (connects.length > 0 && !request.force) {
    const nodes = connects.map((connect) => connect.node).join(', ');
    throw new ConfigRefused(`Device '${device.id}' is connected to ${nodes}: remove those connects first ('ha-manager fence connect remove ${device.id} <node>'), or give --force to remove them with it`);
  }
  document.removeLines([device.line, ...connects.map((connect) => connect.line)]);
}

export function addConnect(document: FenceDocument, connect: Pick<FenceConnect, 'deviceId' | 'node' | 'options'>): void {
  const device = existingDevice(document, connect.deviceId);
  const same = document.config.connects.find((existing) => existing.deviceId === device.id && existing.node === connect.node);
  if (same) throw new ConfigRefused(`Node ${connect.node} is connected to '${device.id}' already (${document.file} line ${same.line}); change it with 'ha-manager fence connect set ${device.id} ${connect.node}'`);
  document.insertAfter(lastLineOf(document, new Set([device.id])), formatConnectLine(connect));
}

export function setConnect(document: FenceDocument, request: { readonly deviceId: string; readonly node: string; readonly change: OptionChange }): void {
  const connect = existingConnect(document, request.deviceId, request.node);
  const options = changedOptions(connect.options, request.change, `The connect of ${connect.node} to '${connect.deviceId}'`);
  document.replaceLine(connect.line, formatConnectLine({ ...connect, options }));
}

export function removeConnect(document: FenceDocument, request: { readonly deviceId: string; readonly node: string }): void {
  document.removeLines([existingConnect(document, request.deviceId, request.node).line]);
}

/**
 * Changes a node's `node` line (`set` and `delete` by the line's keys: watchdog, soft_check, ...); a
 * line left with only defaults is removed.
 */
export function setNodeSettings(document: FenceDocument, request: { readonly node: string; readonly change: OptionChange }): void {
  const current = Object.hasOwn(document.config.nodes, request.node) ? document.config.nodes[request.node] : undefined;
  const options = new Map(Object.entries(current ? nodeLineOptions(current) : {}));
  for (const key of request.change.delete) options.delete(key);
  for (const [key, value] of Object.entries(request.change.set)) options.set(key, value);
  if (options.get('watchdog') === 'default') options.delete('watchdog');
  const settings = checkNodeLine(options, current?.line ?? 0);
  if (typeof settings === 'string') throw new ConfigRefused(`Node ${request.node}: ${settings}`);
  const isDefault = options.size === 0;
  if (current && isDefault) document.removeLines([current.line]);
  else if (current) document.replaceLine(current.line, formatNodeLine(request.node, settings));
  else if (!isDefault) document.insertAfter(document.lineCount, formatNodeLine(request.node, settings));
}

/** Sets the proxy order; none removes the proxy line (every online node, by name). */
export function setProxyOrder(document: FenceDocument, nodes: readonly string[]): void {
  const line = document.firstLineOf('proxy');
  const text = ['proxy', ...nodes].join(' ');
  if (nodes.length === 0) {
    if (line !== undefined) document.removeLines([line]);
  } else if (line !== undefined) document.replaceLine(line, text);
  else document.insertAfter(document.lineCount, text);
}

function checkAgentName(agent: string): void {
  if (!AGENT_NAME_PATTERN.test(agent)) throw new ConfigRefused(`Bad agent '${withoutValue(agent)}': the name of an executable on PATH, e.g. fence_ipmilan`);
}

/** An argument shown in a refusal: a mistyped `password=...` in its place is shown without its value. */
function withoutValue(text: string): string {
  return text.includes('=') ? `${text.slice(0, text.indexOf('='))}=...` : text;
}

function nodeLineOptions(settings: FenceNodeSettings): Record<string, string> {
  return {
    ...(settings.watchdog === 'none' ? { watchdog: 'none' } : {}),
    ...(settings.softCheck !== undefined ? { soft_check: settings.softCheck } : {}),
    ...(settings.softFence !== undefined ? { soft_fence: settings.softFence } : {}),
    ...(settings.softGraceS !== undefined ? { soft_grace: String(settings.softGraceS) } : {}),
  };
}

function changedOptions(options: Readonly<Record<string, string>>, change: OptionChange, what: string): Record<string, string> {
  const changed = { ...options };
  for (const key of change.delete) {
    if (!Object.hasOwn(changed, key)) throw new ConfigRefused(`${what} has no option '${key}' to delete`);
    delete changed[key];
  }
  return { ...changed, ...change.set };
}

/** The last line of the devices `ids` and of their connects. */
function lastLineOf(document: FenceDocument, ids: ReadonlySet<string>): number {
  const lines = [
    ...document.config.devices.filter((device) => ids.has(device.id)).map((device) => device.line),
    ...document.config.connects.filter((connect) => ids.has(connect.deviceId)).map((connect) => connect.line),
  ];
  return Math.max(...lines);
}

function existingDevice(document: FenceDocument, id: string): FenceDevice {
  const device = document.config.devices.find((candidate) => candidate.id === id);
  if (device) return device;
  const known = document.config.devices.map((candidate) => candidate.id);
  throw new ConfigRefused(`No fence device '${id}' in ${document.file} (${known.length > 0 ? `devices: ${known.join(', ')}` : 'it defines none'})`);
}

function existingConnect(document: FenceDocument, deviceId: string, node: string): FenceConnect {
  const device = existingDevice(document, deviceId);
  const connect = document.config.connects.find((candidate) => candidate.deviceId === device.id && candidate.node === node);
  if (connect) return connect;
  const nodes = document.config.connects.filter((candidate) => candidate.deviceId === device.id).map((candidate) => candidate.node);
  throw new ConfigRefused(`Node ${node} is not connected to '${device.id}' (${nodes.length > 0 ? `connected: ${nodes.join(', ')}` : 'no node is'})`);
}
