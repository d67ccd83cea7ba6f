import type { ClusterStore } from '../store/cluster-store.ts';
import type { LockWaitOptions } from '../store/config-lock.ts';
import { DirClusterStore } from '../store/dir-cluster-store.ts';
import { EtcdClusterStore } from '../store/etcd/etcd-cluster-store.ts';
import type { StoreSelection } from './store-selection.ts';

/**
 * Selecting the store (store-selection.ts) and opening it. Opening imports both backends; the CLI
 * selects through store-selection.ts and imports the etcd backend only when etcd is selected
 * (src/cli/cli-store.ts), so that a command on a dir store never loads the etcd code.
 */
export * from './store-selection.ts';

/**
 * Opens the selected store (no I/O yet). `configLockWait` is for a dir store's config writes: the
 * CLI's default wait, or `{ waitMsMax: 0 }` for a daemon.
 */
export function openStore(selection: StoreSelection, configLockWait: LockWaitOptions = {}): ClusterStore {
  return selection.kind === 'dir' ? new DirClusterStore(selection.dir, configLockWait) : new EtcdClusterStore(selection.connection, selection.prefix);
}

