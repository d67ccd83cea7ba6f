import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { defaultHaCfgText } from '../../config/default-ha-cfg.ts';
import { checkSharedFilesystem } from '../../store/shared-dir-check.ts';
import type { ClusterStore } from '../../store/cluster-store.ts';
import { DirClusterStore } from '../../store/dir-cluster-store.ts';
import { createSharedDirLayout, sharedPaths } from '../../store/shared-dir.ts';
import { checkNodeName } from '../../common/node-name.ts';
import { editConfig } from '../../config/config-edit.ts';
import { addNode } from '../../config/node-edit.ts';
import { withDir, type DirArgs } from '../cli-options.ts';
import { openSelectedStore, selectionOf, StoreUnanswered } from '../cli-store.ts';
import { UsageError } from '../exit-codes.ts';
import { writeOutput } from '../stdout.ts';

type InitArgs = DirArgs & { readonly nodes?: string };

/** `--nodes a,b,c`, each name checked; a bad one is a usage error (exit 2) before anything is done. */
function nodeListOf(value: string | undefined): string[] {
  if (value === undefined) return [];
  const nodes = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
  for (const node of nodes) {
    const checked = checkNodeName(node);
    if (!checked.ok) throw new UsageError(`--nodes: ${checked.problem}`);
  }
  if (new Set(nodes).size !== nodes.length) throw new UsageError(`--nodes: a node is named twice in '${value}'`);
  return nodes;
}

/** What `init` found wrong with the shared directory: exit 1, one line, nothing created. */
class InitRefused extends Error {
  override name = 'InitRefused';
}

export const initCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .option('nodes', { type: 'string', requiresArg: true, describe: "the cluster's nodes, comma separated (node: sections of ha.cfg; later: 'ha-manager node add')" })
      .example('$0 init --dir /mnt/ha --nodes node1,node2,node3', 'set up the shared filesystem mounted at /mnt/ha for three nodes (run on one node, once)')
      .example('$0 init --store etcd --endpoints http://10.0.0.1:2379,http://10.0.0.2:2379 --nodes node1,node2', 'set up a cluster on etcd (under the prefix of store.cfg, else /ha-manager/)'),
  handler: async (args: InitArgs) => {
    const nodes = nodeListOf(args.nodes);
    // Not storeOf: a missing directory gets init's own message (mount the share), and an etcd prefix
    // is set up here rather than required to be.
    const selection = selectionOf(args);
    const lines = selection.kind === 'dir' ? initSharedDir(selection.dir, nodes) : initStore(await openSelectedStore(selection), nodes);
    for (const line of lines) writeOutput(`${line}\n`);
  },
};

/**
 * Checks the filesystem first and creates only then, so a filesystem that fails a check gets nothing.
 * Never creates `root` itself: a missing directory is most often a share that is not mounted, and a
 * layout created on the local disk beneath the mount point would be a second cluster.
 */
export function initSharedDir(root: string, nodes: readonly string[] = []): string[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new InitRefused(`Shared directory ${root} does not exist or is not a directory: mount the shared filesystem there first (for one host, create it with mkdir)`);
  }
  const lines: string[] = [];
  for (const check of checkSharedFilesystem(root)) {
    if (!check.isOk) throw new InitRefused(`${root}: ${check.name}: no; ${check.detail}. The dir store cannot keep its promise on this filesystem (docs/shared-dir.md)`);
    lines.push(`checked: ${check.name} (${check.detail})`);
  }
  const paths = sharedPaths(root);
  const layout = [paths.leases, paths.status, paths.lrmStatusDir, paths.fencedDir, paths.commands];
  const existed = layout.filter((dir) => existsSync(dir));
  createSharedDirLayout(root);
  for (const dir of layout) if (!existed.includes(dir)) lines.push(`created ${dir}/`);
  if (existsSync(paths.settings)) {
    lines.push(...declareMissing(new DirClusterStore(root), nodes));
  } else {
    const temporary = `${paths.settings}.tmp.init.${process.pid}`;
    writeFileSync(temporary, defaultHaCfgText(nodes), { flag: 'wx' });
    renameSync(temporary, paths.settings);
    lines.push(`wrote ${paths.settings} with the defaults (fence_timeout 60 s), each setting commented`);
    if (nodes.length > 0) lines.push(`declared the nodes ${nodes.join(', ')}`);
  }
  if (nodes.length === 0) lines.push(`declare the cluster's nodes with 'ha-manager node add <name>' (or init --nodes a,b,c) before their daemons start`);
  lines.push(`${root} is ready: start ha-watchdog-mux, ha-lrm and ha-crm on every node with --dir ${root}`);
  return lines;
}

/**
 * `init` on a store that is not a directory (etcd): makes the marker the daemons wait for (setUp), then
 * the same ha.cfg as the dir init, by compare-and-set on its absence. Run again it creates nothing and
 * keeps an ha.cfg that is there, declaring the nodes of --nodes it lacks, as the dir init does.
 */
export function initStore(store: ClusterStore, nodes: readonly string[] = []): string[] {
  const before = store.probe();
  if (typeof before !== 'string') throw new StoreUnanswered(`${store.where}: the store does not answer, nothing set up: ${before.message}`);
  const lines: string[] = [];
  const setUp = store.setUp();
  if (setUp !== 'ready') throw new StoreUnanswered(`${store.where}: not set up: ${setUp.message}`);
  lines.push(before === 'ready' ? `${store.where} was set up already: kept` : `set up ${store.where}`);
  const settings = store.configName('ha.cfg');
  const written = store.config.write('ha.cfg', defaultHaCfgText(nodes), undefined);
  if (written.kind === 'unavailable') throw new StoreUnanswered(`${settings}: not written: ${written.message}`);
  if (written.kind === 'conflict') {
    lines.push(...declareMissing(store, nodes));
  } else {
    lines.push(`wrote ${settings} with the defaults (fence_timeout 60 s), each setting commented`);
    if (nodes.length > 0) lines.push(`declared the nodes ${nodes.join(', ')}`);
  }
  if (nodes.length === 0) lines.push(`declare the cluster's nodes with 'ha-manager node add <name>' (or init --nodes a,b,c) before their daemons start`);
  lines.push(`${store.where} is ready: start ha-watchdog-mux, ha-lrm and ha-crm on every node with this store (store.cfg, or --store etcd --endpoints ...)`);
  return lines;
}

/** An ha.cfg that exists is kept; the nodes of --nodes it does not declare yet are added (one compare-and-set). */
function declareMissing(store: ClusterStore, nodes: readonly string[]): string[] {
  const settings = store.configName('ha.cfg');
  const added = editConfig(store, (documents) => {
    const missing = nodes.filter((node) => !documents.settings.find('node', node));
    for (const node of missing) addNode(documents, { node, options: {} });
    return missing;
  });
  return added.length > 0 ? [`kept ${settings}, declared the nodes ${added.join(', ')} in it`] : [`kept ${settings} as it is`];
}
