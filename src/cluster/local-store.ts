import { existsSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterStore } from '../store/cluster-store.ts';
import { DirClusterStore } from '../store/dir-cluster-store.ts';

/** Which store a local cluster keeps its leases, status, commands and config in. */
export const LOCAL_STORE_KINDS = ['dir', 'etcd'] as const;
export type LocalStoreKind = (typeof LOCAL_STORE_KINDS)[number];

/**
 * The store of a local cluster as the launcher sees it: the cluster's own view of it (status, leases,
 * config: what the demo, the tests and the swarm read), the flags that give a node's daemons their way
 * to it, and how a node is cut from it and healed — the symlink of the dir store, the TCP proxies of
 * etcd. Each node reaches the store only through its own way, so cutting one leaves the others alone.
 */
export interface LocalStore {
  readonly kind: LocalStoreKind;
  /** The cluster's own view (never cut). */
  readonly store: ClusterStore;
  /** Another view like it, for a reader that closes its store when it is done (the demo's web console). */
  openView(): ClusterStore;
  /** Where the store is, for the demo's first line. */
  readonly description: string;
  /** The arguments that give `node`'s daemons (and a CLI acting for it) the store. */
  flagsOf(node: string): string[];
  /** The arguments of an `ha-manager` command run by the operator (the tests, the swarm): the store itself, never cut. */
  readonly cliFlags: readonly string[];
  /** Environment variables of `node`'s daemons beyond the launcher's own. */
  readonly env: Readonly<Record<string, string>>;
  cut(node: string): void;
  heal(node: string): void;
  isCut(node: string): boolean;
  /** Stops what the store runs (etcd members, proxies); the cluster's folder stays. */
  close(): Promise<void>;
}

/**
 * Where a cut node's link points: a path below a regular file of the cluster's folder, so every access
 * fails (ENOTDIR) — even `mkdir -p` by root, which would create a path that merely does not exist and
 * let a cut node write there (a service recording its stop in a ledger nobody reads).
 */
const CUT_FILE = 'storage-cut';

/**
 * The shared directory `<root>/shared/`, which each node reaches only through its own symlink
 * `<root>/local/<node>/shared`: cutting a node replaces that link with one to a path below the regular
 * file `<root>/storage-cut` (its daemons get ENOTDIR, the store reports 'unavailable'); healing puts the
 * link back.
 */
export class DirLocalStore implements LocalStore {
  readonly kind = 'dir';
  readonly store: ClusterStore;
  readonly description: string;
  readonly env = {};
  readonly cliFlags: readonly string[];

  constructor(
    private readonly root: string,
    readonly sharedDir: string,
    private readonly localDirOf: (node: string) => string,
  ) {
    this.store = new DirClusterStore(sharedDir);
    this.description = `the shared directory ${sharedDir}`;
    this.cliFlags = ['--dir', sharedDir];
    writeFileSync(join(root, CUT_FILE), 'A cut node\'s link to the shared directory points below this file: nothing can be reached or created there.\n');
  }

  openView(): ClusterStore {
    return new DirClusterStore(this.sharedDir);
  }

  /** The shared directory as `node` sees it (through its link). */
  linkOf(node: string): string {
    return join(this.localDirOf(node), 'shared');
  }

  flagsOf(node: string): string[] {
    return ['--dir', this.linkOf(node)];
  }

  /** Its link now points nowhere (atomic rename over the link). */
  cut(node: string): void {
    replaceLink(this.linkOf(node), join(this.root, CUT_FILE, 'shared'));
  }

  heal(node: string): void {
    replaceLink(this.linkOf(node), this.sharedDir);
  }

  isCut(node: string): boolean {
    return !existsSync(this.linkOf(node));
  }

  async close(): Promise<void> {
    this.store.close();
  }
}

function replaceLink(link: string, target: string): void {
  const temporary = `${link}.new`;
  rmSync(temporary, { force: true });
  symlinkSync(target, temporary);
  renameSync(temporary, link);
}
