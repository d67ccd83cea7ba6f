import type { LockWaitOptions } from '../store/config-lock.ts';
import type { ConfigDocuments, LoadedConfig } from '../config/load-config.ts';
import { sharedDirOf, type DirArgs } from './cli-options.ts';

type LockWait = Parameters<NonNullable<LockWaitOptions['onWaiting']>>[0];

/**
 * One locked edit of the config files of the command's shared directory (src/config/config-edit.ts).
 * While another writer holds the config lock the command waits, up to LOCK_WAIT_MS_MAX; after a second
 * it says once who holds the lock, so that a long wait is not silence.
 */
export async function editSharedConfig<T>(args: DirArgs, edit: (documents: ConfigDocuments, current: LoadedConfig) => T): Promise<T> {
  const { editConfig } = await import('../config/config-edit.ts');
  return editConfig(sharedDirOf(args), edit, { onWaiting: printLockWait });
}

/** `ha-manager: waiting for the config lock /x/.config.lock: held by node node2 (pid 4711) since 12:00:01 UTC; waiting up to 30 s` */
export function printLockWait(wait: LockWait): void {
  const { lockPath, owner, waitMsMax } = wait;
  const holder = owner
    ? `held by node ${owner.node}${owner.host !== owner.node ? ` on host ${owner.host}` : ''} (pid ${owner.pid}) since ${new Date(owner.wallMs).toISOString().slice(11, 19)} UTC`
    : 'held by a writer that has not named itself yet';
  process.stderr.write(`ha-manager: waiting for the config lock ${lockPath}: ${holder}; waiting up to ${Math.round(waitMsMax / 1000)} s\n`);
}
