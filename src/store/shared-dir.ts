import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the shared directory is: `--dir`, else HA_MANAGER_DIR, else /etc/ha-manager. */
export function resolveSharedDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.HA_MANAGER_DIR ?? '/etc/ha-manager';
}

/** Paths inside the shared directory (docs/shared-dir.md). */
export function sharedPaths(root: string) {
  return {
    root,
    resources: join(root, 'resources.cfg'),
    groups: join(root, 'groups.cfg'),
    rules: join(root, 'rules.cfg'),
    settings: join(root, 'ha.cfg'),
    fence: join(root, 'fence.cfg'),
    configLock: join(root, '.config.lock'),
    leases: join(root, 'leases'),
    status: join(root, 'status'),
    managerStatus: join(root, 'status', 'manager.json'),
    lrmStatusDir: join(root, 'status', 'lrm'),
    lrmStatus: (node: string) => join(root, 'status', 'lrm', `${node}.json`),
    fencedDir: join(root, 'status', 'fenced'),
    fenced: (node: string) => join(root, 'status', 'fenced', `${node}.json`),
    commands: join(root, 'commands'),
    ledger: join(root, 'ledger'),
  };
}

export type SharedPaths = ReturnType<typeof sharedPaths>;

/**
 * Creates the directories of the shared directory under an existing `root` (idempotent). Only an
 * explicit setup step calls this: the daemons never create them, so that a shared filesystem that is not
 * mounted (an empty mount point) makes the store unavailable instead of starting a second cluster.
 */
export function createSharedDirLayout(root: string): SharedPaths {
  const paths = sharedPaths(root);
  if (!statSync(root).isDirectory()) throw new Error(`Shared directory ${root} is not a directory`);
  for (const dir of [paths.leases, paths.lrmStatusDir, paths.fencedDir, paths.commands]) mkdirSync(dir, { recursive: true });
  return paths;
}
