import type { ConfigDocuments, LoadedConfig } from '../config/load-config.ts';
import type { ClusterStore } from '../store/cluster-store.ts';

export { printLockWait } from './cli-store.ts';

/**
 * One read-modify-write of the config files of the command's store (src/config/config-edit.ts): all
 * changed files by one compare-and-set, retried on a concurrent edit. On a dir store a command waits for
 * a busy config lock, up to LOCK_WAIT_MS_MAX, and says once after a second who holds it.
 */
export async function editSharedConfig<T>(store: ClusterStore, edit: (documents: ConfigDocuments, current: LoadedConfig) => T): Promise<T> {
  const { editConfig } = await import('../config/config-edit.ts');
  return editConfig(store, edit);
}
