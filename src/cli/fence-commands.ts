/**
 * The handlers of `ha-manager fence ...` (src/cli/commands/fence.ts; docs/fence-cfg.md), on either
 * store. Edits are compare-and-set writes of fence.cfg (editFenceConfig; a dir store writes it
 * atomically with mode 0600 under the config lock); options are checked against the agent's metadata
 * before (an agent takes up to a second to answer, and a lock holder should not wait on it).
 */
import { statSync } from 'node:fs';
import { FenceDocument } from '../config/fence-document.ts';
import { addConnect, addDevice, editFenceConfig, readFenceDocument, removeConnect, removeDevice, setConnect, setDevice, setNodeSettings, setProxyOrder, type OptionChange } from '../config/fence-edit.ts';
import { loadHaConfig } from '../config/load-config.ts';
import { checkNodeName } from '../common/node-name.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { printOutput, type ReadingArgs } from './cli-options.ts';
import { storeOf } from './cli-store.ts';
import { UsageError } from './exit-codes.ts';
import { checkAgentOptions, listOf, parseDeleteArgs, parseOptionArgs, warnIfExposed } from './fence-options.ts';
import { fenceConfigView, fencePlan, maskedConfigText, renderFencePlan } from './fence-view.ts';
import { knownNodes, refuseUnknownNodes } from './known-nodes.ts';
import type { FenceArgs } from './commands/fence.ts';

export async function deviceAdd(args: FenceArgs): Promise<void> {
  const id = String(args.id);
  const agent = String(args.agent);
  const options = parseOptionArgs(listOf(args.option));
  checkAgentOptions(agent, Object.keys(options));
  edit(await storeOf(args), (document) => addDevice(document, { id, agent, options }));
}

export async function deviceSet(args: FenceArgs): Promise<void> {
  const id = String(args.id);
  const change = optionChange(args, [], args.agent !== undefined);
  const store = await storeOf(args);
  const device = currentDocument(store).config.devices.find((candidate) => candidate.id === id);
  // A new agent must know every option the device keeps; the same agent, only the ones given now.
  if (device && args.agent !== undefined) checkAgentOptions(String(args.agent), [...Object.keys(device.options).filter((key) => !change.delete.includes(key)), ...Object.keys(change.set)]);
  else if (device) checkAgentOptions(device.agent, Object.keys(change.set));
  edit(store, (document) => setDevice(document, { id, ...(args.agent !== undefined ? { agent: String(args.agent) } : {}), change }));
}

export async function deviceRemove(args: FenceArgs): Promise<void> {
  edit(await storeOf(args), (document) => removeDevice(document, { id: String(args.id), force: args.force === true }));
}

/** `connect [add|set|remove] <id> <node>`. */
export async function connect(args: FenceArgs): Promise<void> {
  const words = listOf(args.words);
  const verb = words.length === 3 ? words[0] : words.length === 2 ? 'add' : undefined;
  if (verb === undefined || !['add', 'set', 'remove'].includes(verb)) throw new UsageError('Expected fence connect [add|set|remove] <id> <node>');
  const target = { deviceId: words[words.length - 2]!, node: nodeArg(words[words.length - 1]) };
  if (verb !== 'set' && args.delete !== undefined) throw new UsageError('--delete is for connect set');
  if (verb === 'remove' && args.option !== undefined) throw new UsageError('--option is for connect add and connect set');
  const store = await storeOf(args);
  if (verb === 'add') return connectAdd(args, { store, target });
  if (verb === 'set') return connectSet(args, { store, target });
  edit(store, (document) => removeConnect(document, target));
}

async function connectAdd(args: FenceArgs, on: { store: ClusterStore; target: ConnectTarget }): Promise<void> {
  const { store, target } = on;
  const { deviceId, node } = target;
  refuseUnknownNodes([node], knownNodesOf(store));
  const options = parseOptionArgs(listOf(args.option), ['node']);
  checkConnectOptions(store, deviceId, Object.keys(options));
  edit(store, (document) => addConnect(document, { deviceId, node, options }));
}

async function connectSet(args: FenceArgs, on: { store: ClusterStore; target: ConnectTarget }): Promise<void> {
  const { store, target } = on;
  const { deviceId, node } = target;
  const change = optionChange(args, ['node']);
  checkConnectOptions(store, deviceId, Object.keys(change.set));
  edit(store, (document) => setConnect(document, { deviceId, node, change }));
}

export async function nodeSettings(args: FenceArgs): Promise<void> {
  const node = nodeArg(args.node);
  const store = await storeOf(args);
  // A node that left the cluster may still have a line: it can be changed and removed.
  if (!Object.hasOwn(currentDocument(store).config.nodes, node)) refuseUnknownNodes([node], knownNodesOf(store));
  const set: Record<string, string> = {
    ...(args.watchdog !== undefined ? { watchdog: String(args.watchdog) } : {}),
    ...(args['soft-check'] !== undefined ? { soft_check: String(args['soft-check']) } : {}),
    ...(args['soft-fence'] !== undefined ? { soft_fence: String(args['soft-fence']) } : {}),
    ...(args['soft-grace'] !== undefined ? { soft_grace: String(args['soft-grace']) } : {}),
  };
  const change = { set, delete: parseDeleteArgs(listOf(args.delete)) };
  if (Object.keys(set).length === 0 && change.delete.length === 0) throw new UsageError('Give --watchdog, --soft-check with --soft-fence, --soft-grace or --delete');
  edit(store, (document) => setNodeSettings(document, { node, change }));
}

export async function proxy(args: FenceArgs): Promise<void> {
  const nodes = listOf(args.nodes).map(nodeArg);
  const store = await storeOf(args);
  refuseUnknownNodes(nodes, knownNodesOf(store));
  edit(store, (document) => setProxyOrder(document, nodes));
}

export async function showConfig(args: FenceArgs & ReadingArgs): Promise<void> {
  const document = currentDocument(await storeOf(args));
  warnIfExposed(document.file);
  if (args['output-format'] === 'text') printOutput(document, { format: 'text', renderText: (shown) => maskedConfigText(shown.render(), shown.config) });
  else printOutput(fenceConfigView(document.config), { format: args['output-format'], renderText: () => '' });
}

export async function plan(args: FenceArgs & ReadingArgs): Promise<void> {
  const store = await storeOf(args);
  const loaded = loadHaConfig(store);
  const config = loaded.config.fence ?? { devices: [], connects: [], nodes: {}, proxyOrder: [] };
  warnIfExposed(store.configName('fence.cfg'));
  const inConfig = [...config.connects.map((connect) => connect.node), ...Object.keys(config.nodes), ...config.proxyOrder];
  const known = knownNodes(store, loaded);
  const all = [...new Set([...known.nodes, ...inConfig])].sort();
  if (args.node !== undefined && !all.includes(String(args.node))) refuseUnknownNodes([String(args.node)], known);
  const nodes = args.node !== undefined ? [String(args.node)] : all;
  printOutput(fencePlan(config, nodes), { format: args['output-format'], renderText: renderFencePlan });
}

/**
 * Runs one edit of fence.cfg; notes when the file it replaced was exposed (a file's mode: a dir store's
 * fence.cfg; an etcd key's name is no file, and its access is etcd's user and role).
 */
function edit(store: ClusterStore, change: (document: FenceDocument) => void): void {
  const file = store.configName('fence.cfg');
  const modeBefore = modeOf(file);
  editFenceConfig(store, change);
  const modeAfter = modeOf(file);
  if (modeBefore !== undefined && (modeBefore & 0o077) !== 0 && modeAfter !== modeBefore) {
    process.stderr.write(`ha-manager: note: ${file} had mode ${modeBefore.toString(8).padStart(4, '0')} and is now 0600: passwords in it may have been read; consider changing them\n`);
  }
}

function modeOf(file: string): number | undefined {
  try {
    return statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}

function currentDocument(store: ClusterStore): FenceDocument {
  return readFenceDocument(store).document;
}

function knownNodesOf(store: ClusterStore) {
  return knownNodes(store, loadHaConfig(store));
}

interface ConnectTarget {
  readonly deviceId: string;
  readonly node: string;
}

/** A connect's options are the device agent's: checked against the same metadata. */
function checkConnectOptions(store: ClusterStore, deviceId: string, keys: readonly string[]): void {
  const device = currentDocument(store).config.devices.find((candidate) => candidate.id === deviceId);
  if (device && keys.length > 0) checkAgentOptions(device.agent, keys);
}

function optionChange(args: FenceArgs, reserved: readonly string[] = [], mayBeEmpty = false): OptionChange {
  const change = { set: parseOptionArgs(listOf(args.option), reserved), delete: parseDeleteArgs(listOf(args.delete)) };
  if (!mayBeEmpty && Object.keys(change.set).length === 0 && change.delete.length === 0) throw new UsageError('Nothing to change: give --option key=value or --delete key');
  return change;
}

function nodeArg(value: unknown): string {
  if (String(value).includes('=')) throw new UsageError(`Expected a node name, found an option '${String(value).split('=', 1)[0]}=...'`);
  const checked = checkNodeName(String(value));
  if (!checked.ok) throw new UsageError(checked.problem);
  return checked.value;
}
