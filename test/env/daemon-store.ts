import { ownIdentity } from '../../src/store/config-lock.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

/** A shared directory as a daemon opens it (node-daemon.ts): config writes never wait for the lock, which names `node`. */
export function daemonStore(dir: string, node: string): DirClusterStore {
  return new DirClusterStore(dir, { waitMsMax: 0, identity: ownIdentity(node) });
}
