/**
 * The handlers of `ha-manager fence ...` (src/cli/commands/fence.ts; docs/fence-cfg.md). Edits run
 * under the config lock (editFenceConfig) and write fence.cfg atomically with mode 0600; options are
 * checked against the agent's metadata before the lock is taken (an agent takes up to a second to
 * answer, and a lock holder should not wait on it).
 */
import { statSync } from 'node:fs';
import { FenceDocument } from '../config/fence-document.ts';
import { addConnect, addDevice, editFenceConfig, readFenceText, removeConnect, removeDevice, setConnect, setDevice, setNodeSettings, setProxyOrder, type OptionChange } from '../config/fence-edit.ts';
import { loadHaConfig } from '../config/load-config.ts';
import { checkNodeName } from '../common/node-name.ts';
import { sharedPaths } from '../store/shared-dir.ts';
import { printOutput, sharedDirOf, type ReadingArgs } from './cli-options.ts';
import { printLockWait } from './config-write.ts';
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
  edit(args, (document) => addDevice(document, { id, agent, options }));
}

export async function deviceSet(args: FenceArgs): Promise<void> {
  const id = String(args.id);
  const change = optionChange(args, [], args.agent !== undefined);
  const device = currentDocument(args).config.devices.find((candidate) => candidate.id === id);
  // A new agent must know every option the device keeps; the same agent, only the ones given now.
  if (device && args.agent !== undefined) checkAgentOptions(String(args.agent), [...Object.keys(device.options).filter((key) => !change.delete.includes(key)), ...Object.keys(change.set)]);
  else if (device) checkAgentOptions(device.agent, Object.keys(change.set));
  edit(args, (document) => setDevice(document, { id, ...(args.agent !== undefined ? { agent: String(args.agent) } : {}), change }));
}

export async function deviceRemove(args: FenceArgs): Promise<void> {
  edit(args, (document) => removeDevice(document, { id: String(args.id), force: args.force === true }));
}

/** `connect [add|set|remove] <id> <node>`. */
export async function connect(args: FenceArgs): Promise<void> {
  const words = listOf(args.words);
  const verb = words.length === 3 ? words[0] : words.length === 2 ? 'add' : undefined;
  if (verb === undefined || !['add', 'set', 'remove'].includes(verb)) throw new UsageError('Expected fence connect [add|set|remove] <id> <node>');
  const target = { deviceId: words[words.length - 2]!, node: nodeArg(words[words.length - 1]) };
  if (verb !== 'set' && args.delete !== undefined) throw new UsageError('--delete is for connect set');
  if (verb === 'remove' && args.option !== undefined) throw new UsageError('--option is for connect add and connect set');
  if (verb === 'add') return connectAdd(args, target);
  if (verb === 'set') return connectSet(args, target);
  edit(args, (document) => removeConnect(document, target));
}

async function connectAdd(args: FenceArgs, target: ConnectTarget): Promise<void> {
  const { deviceId, node } = target;
  refuseUnknownNodes([node], knownNodesOf(args));
  const options = parseOptionArgs(listOf(args.option), ['node']);
  checkConnectOptions(args, deviceId, Object.keys(options));
  edit(args, (document) => addConnect(document, { deviceId, node, options }));
}

async function connectSet(args: FenceArgs, target: ConnectTarget): Promise<void> {
  const { deviceId, node } = target;
  const change = optionChange(args, ['node']);
  checkConnectOptions(args, deviceId, Object.keys(change.set));
  edit(args, (document) => setConnect(document, { deviceId, node, change }));
}

export async function nodeSettings(args: FenceArgs): Promise<void> {
  const node = nodeArg(args.node);
  refuseUnknownNodes([node], knownNodesOf(args));
  const set: Record<string, string> = {
    ...(args.watchdog !== undefined ? { watchdog: String(args.watchdog) } : {}),
    ...(args['soft-check'] !== undefined ? { soft_check: String(args['soft-check']) } : {}),
    ...(args['soft-fence'] !== undefined ? { soft_fence: String(args['soft-fence']) } : {}),
    ...(args['soft-grace'] !== undefined ? { soft_grace: String(args['soft-grace']) } : {}),
  };
  const change = { set, delete: parseDeleteArgs(listOf(args.delete)) };
  if (Object.keys(set).length === 0 && change.delete.length === 0) throw new UsageError('Give --watchdog, --soft-check with --soft-fence, --soft-grace or --delete');
  edit(args, (document) => setNodeSettings(document, { node, change }));
}

export async function proxy(args: FenceArgs): Promise<void> {
  const nodes = listOf(args.nodes).map(nodeArg);
  refuseUnknownNodes(nodes, knownNodesOf(args));
  edit(args, (document) => setProxyOrder(document, nodes));
}

export async function showConfig(args: FenceArgs & ReadingArgs): Promise<void> {
  const document = currentDocument(args);
  warnIfExposed(document.file);
  if (args['output-format'] === 'text') printOutput(document, { format: 'text', renderText: (shown) => maskedConfigText(shown.render(), shown.config) });
  else printOutput(fenceConfigView(document.config), { format: args['output-format'], renderText: () => '' });
}

export async function plan(args: FenceArgs & ReadingArgs): Promise<void> {
  const sharedDir = sharedDirOf(args);
  const loaded = loadHaConfig(sharedDir);
  const config = loaded.config.fence ?? { devices: [], connects: [], nodes: {}, proxyOrder: [] };
  warnIfExposed(sharedPaths(sharedDir).fence);
  const inConfig = [...config.connects.map((connect) => connect.node), ...Object.keys(config.nodes), ...config.proxyOrder];
  const all = [...new Set([...knownNodes(sharedPaths(sharedDir), loaded).nodes, ...inConfig])].sort();
  if (args.node !== undefined && !all.includes(String(args.node))) refuseUnknownNodes([String(args.node)], knownNodes(sharedPaths(sharedDir), loaded));
  const nodes = args.node !== undefined ? [String(args.node)] : all;
  printOutput(fencePlan(config, nodes), { format: args['output-format'], renderText: renderFencePlan });
}

/** Runs one edit of fence.cfg under the config lock; notes when the file it replaced was exposed. */
function edit(args: FenceArgs, change: (document: FenceDocument) => void): void {
  const sharedDir = sharedDirOf(args);
  const file = sharedPaths(sharedDir).fence;
  const modeBefore = modeOf(file);
  editFenceConfig(sharedDir, change, { onWaiting: printLockWait });
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

function currentDocument(args: FenceArgs): FenceDocument {
  const file = sharedPaths(sharedDirOf(args)).fence;
  return FenceDocument.parse(readFenceText(file), file);
}

function knownNodesOf(args: FenceArgs) {
  const sharedDir = sharedDirOf(args);
  return knownNodes(sharedPaths(sharedDir), loadHaConfig(sharedDir));
}

interface ConnectTarget {
  readonly deviceId: string;
  readonly node: string;
}

/** A connect's options are the device agent's: checked against the same metadata. */
function checkConnectOptions(args: FenceArgs, deviceId: string, keys: readonly string[]): void {
  const device = currentDocument(args).config.devices.find((candidate) => candidate.id === deviceId);
  if (device && keys.length > 0) checkAgentOptions(device.agent, keys);
}

function optionChange(args: FenceArgs, reserved: readonly string[] = [], mayBeEmpty = false): OptionChange {
  const change = { set: parseOptionArgs(listOf(args.option), reserved), delete: parseDeleteArgs(listOf(args.delete)) };
  if (!mayBeEmpty && Object.keys(change.set).length === 0 && change.delete.length === 0) throw new UsageError('Nothing to change: give --option key=value or --delete key');
  return change;
}

function nodeArg(value: unknown): string {
  const checked = checkNodeName(String(value));
  if (!checked.ok) throw new UsageError(checked.problem);
  return checked.value;
}
