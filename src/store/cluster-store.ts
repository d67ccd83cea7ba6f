import type { LeaseStore } from './lease-store.ts';
import type { LeaseView } from './lease-view.ts';
import type { StatusStore } from './status-store.ts';
import type { CommandQueue, ConfigFileName, ConfigFiles, StoreUnavailable } from './store-ports.ts';

/**
 * One cluster's store, whichever backend holds it (DESIGN.md "The store"): the shared directory
 * (dir-cluster-store.ts) or etcd (etcd/etcd-cluster-store.ts). The daemons, the CLI and the web console
 * reach the cluster's leases, status, commands and config only through this, so every rule runs
 * unchanged on either; the simulator gives each node the same ports over its memory (src/sim/sim-node-store.ts).
 *
 * Opening a store does no I/O (a CLI that only prints help never touches it); `probe` is the first call
 * that does. Every call is synchronous and returns failures as values (StoreUnavailable), as the ports do.
 */
export interface ClusterStore {
  readonly kind: 'dir' | 'etcd';
  /** Where the store is, for messages: `/etc/ha-manager`, `etcd http://10.0.0.1:2379,… /ha-manager/`. */
  readonly where: string;
  readonly status: StatusStore;
  readonly commands: CommandQueue;
  readonly config: ConfigFiles;
  /** A lease store for one node's daemon (one instance per daemon: it keeps that daemon's memory). */
  leaseStore(options: LeaseStoreFor): LeaseStore;
  /**
   * Whether the cluster is there: 'ready'; 'not-set-up' when the store answers but `ha-manager init`
   * never ran on it (dir: no `leases/`; etcd: no marker key) — a daemon waits then, and never creates
   * it, so that an unmounted filesystem or a wrong prefix never starts a second, empty cluster.
   */
  probe(): 'ready' | 'not-set-up' | StoreUnavailable;
  /** Makes the layout `probe` looks for (the explicit setup step, `ha-manager init`); idempotent. */
  setUp(): 'ready' | StoreUnavailable;
  /**
   * A short text that changes whenever any config file changes: one stat per file (dir), one keys-only
   * range (etcd). The daemons compare it once per round, a safety net under `watchConfig`.
   */
  configSignature(): string | StoreUnavailable;
  /**
   * Calls `onChange` (soon, never inside a store call) after a config file changed; the returned
   * function stops watching. dir: chokidar on the directory; etcd: a watch on the config prefix.
   */
  watchConfig(onChange: () => void, onProblem: (message: string) => void): () => Promise<void>;
  /**
   * The current generation of every lease, by name, for display (`ha-manager status`, the consoles):
   * takes and renews nothing, and counts as no observation of any lease store.
   */
  readLeases(): Map<string, LeaseView> | StoreUnavailable;
  /** The name a message gives a config file: its path, or `etcd:<key>`. */
  configName(file: ConfigFileName): string;
  /** The name a message gives a lease: its directory, or `etcd:<key>`. */
  leaseName(name: string): string;
  /** Ends connections and workers; a later call opens them again. */
  close(): void;
}

export interface LeaseStoreFor {
  readonly node: string;
  readonly leaseTimeoutMs: number;
  /** Told why a call returned 'unavailable' (the ha:store log). */
  readonly onProblem?: (message: string) => void;
}

/** The config files' names in the order the signature lists them. */
export const SIGNED_CONFIG_FILES: readonly ConfigFileName[] = ['resources.cfg', 'groups.cfg', 'rules.cfg', 'ha.cfg', 'fence.cfg'];
