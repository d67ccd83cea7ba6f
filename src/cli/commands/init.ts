import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { defaultHaCfgText } from '../../config/default-ha-cfg.ts';
import { checkSharedFilesystem } from '../../store/shared-dir-check.ts';
import { createSharedDirLayout, resolveSharedDir, sharedPaths } from '../../store/shared-dir.ts';
import { checkNodeName } from '../../common/node-name.ts';
import { editConfig } from '../../config/config-edit.ts';
import { addNode } from '../../config/node-edit.ts';
import { withDir, type DirArgs } from '../cli-options.ts';
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
      .example('$0 init --dir /mnt/ha --nodes node1,node2,node3', 'set up the shared filesystem mounted at /mnt/ha for three nodes (run on one node, once)'),
  handler: (args: InitArgs) => {
    // Not sharedDirOf: a missing directory gets init's own message, which says to mount the share.
    const root = resolveSharedDir(args.dir);
    const nodes = nodeListOf(args.nodes);
    for (const line of initSharedDir(root, nodes)) writeOutput(`${line}\n`);
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
    lines.push(...declareMissing(root, nodes));
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

/** An ha.cfg that exists is kept; the nodes of --nodes it does not declare yet are added (under the config lock). */
function declareMissing(root: string, nodes: readonly string[]): string[] {
  const settings = sharedPaths(root).settings;
  const added = editConfig(root, (documents) => {
    const missing = nodes.filter((node) => !documents.settings.find('node', node));
    for (const node of missing) addNode(documents, { node, options: {} });
    return missing;
  });
  return added.length > 0 ? [`kept ${settings}, declared the nodes ${added.join(', ')} in it`] : [`kept ${settings} as it is`];
}
