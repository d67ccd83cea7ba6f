import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { defaultHaCfgText } from '../../config/default-ha-cfg.ts';
import { checkSharedFilesystem } from '../../store/shared-dir-check.ts';
import { createSharedDirLayout, resolveSharedDir, sharedPaths } from '../../store/shared-dir.ts';
import { withDir, type DirArgs } from '../cli-options.ts';

/** What `init` found wrong with the shared directory: exit 1, one line, nothing created. */
class InitRefused extends Error {
  override name = 'InitRefused';
}

export const initCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .example('$0 init --dir /mnt/ha', 'set up the shared filesystem mounted at /mnt/ha (run on one node, once)'),
  handler: (args: DirArgs) => {
    // Not sharedDirOf: a missing directory gets init's own message, which says to mount the share.
    const root = resolveSharedDir(args.dir);
    for (const line of initSharedDir(root)) process.stdout.write(`${line}\n`);
  },
};

/**
 * Checks the filesystem first and creates only then, so a filesystem that fails a check gets nothing.
 * Never creates `root` itself: a missing directory is most often a share that is not mounted, and a
 * layout created on the local disk beneath the mount point would be a second cluster.
 */
export function initSharedDir(root: string): string[] {
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
    lines.push(`kept ${paths.settings} as it is`);
  } else {
    const temporary = `${paths.settings}.tmp.init.${process.pid}`;
    writeFileSync(temporary, defaultHaCfgText(), { flag: 'wx' });
    renameSync(temporary, paths.settings);
    lines.push(`wrote ${paths.settings} with the defaults (fence_timeout 60 s), each setting commented`);
  }
  lines.push(`${root} is ready: start ha-watchdog-mux, ha-lrm and ha-crm on every node with --dir ${root}`);
  return lines;
}
