import type { FSWatcher } from 'chokidar';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterStore, LeaseStoreFor } from './cluster-store.ts';
import { SIGNED_CONFIG_FILES } from './cluster-store.ts';
import type { LockWaitOptions } from './config-lock.ts';
import { DirCommandQueue, DirConfigFiles } from './dir-ports.ts';
import { DirLeaseStore } from './dir-lease-store.ts';
import { DirStatusStore } from './dir-status-store.ts';
import type { LeaseStore } from './lease-store.ts';
import { readLeases, type LeaseView } from './lease-view.ts';
import { createSharedDirLayout, sharedPaths, type SharedPaths } from './shared-dir.ts';
import type { ConfigFileName, StoreUnavailable } from './store-ports.ts';

/** How often a config watch looks at the files itself (a second or so: the daemons also look every round). */
const WATCH_RESYNC_MS = 1_000;

/**
 * The shared directory as a ClusterStore (docs/shared-dir.md): leases by mkdir, status and commands as
 * files, config files under the config lock. `configLockWait` is how long a config write waits for the
 * lock: the CLI's default, or 0 for a daemon, whose round never waits.
 */
export class DirClusterStore implements ClusterStore {
  readonly kind = 'dir';
  readonly where: string;
  readonly status: DirStatusStore;
  readonly commands: DirCommandQueue;
  readonly config: DirConfigFiles;
  readonly paths: SharedPaths;

  constructor(
    readonly root: string,
    configLockWait: LockWaitOptions = {},
  ) {
    this.where = root;
    this.paths = sharedPaths(root);
    this.status = new DirStatusStore(root);
    this.commands = new DirCommandQueue(root);
    this.config = new DirConfigFiles(root, configLockWait);
  }

  leaseStore(options: LeaseStoreFor): LeaseStore {
    return new DirLeaseStore({ leasesPath: this.paths.leases, ...options });
  }

  probe(): 'ready' | 'not-set-up' | StoreUnavailable {
    try {
      if (!statSync(this.root).isDirectory()) return { kind: 'unavailable', message: `${this.root} is not a directory` };
    } catch (error) {
      return { kind: 'unavailable', message: `${this.root}: ${(error as Error).message}` };
    }
    try {
      return statSync(this.paths.leases).isDirectory() ? 'ready' : 'not-set-up';
    } catch {
      return 'not-set-up';
    }
  }

  setUp(): 'ready' | StoreUnavailable {
    try {
      createSharedDirLayout(this.root);
      return 'ready';
    } catch (error) {
      return { kind: 'unavailable', message: `${this.root}: ${(error as Error).message}` };
    }
  }

  /** inode, size and mtime of each file: inotify says nothing of writes by other hosts on NFS. */
  configSignature(): string {
    return SIGNED_CONFIG_FILES.map((name) => fileSignature(join(this.root, name))).join('|');
  }

  /**
   * chokidar on the directory, backed by a look at the signature every `WATCH_RESYNC_MS`: inotify says
   * nothing of writes by other hosts on NFS, and a watcher on a path that was cut off and came back
   * (the symlink replaced, the mount remounted) hears nothing more. A look that finds a change chokidar
   * did not report reports it and attaches a new watcher.
   */
  watchConfig(onChange: () => void, onProblem: (message: string) => void): () => Promise<void> {
    const names = new Set<string>(SIGNED_CONFIG_FILES);
    let watcher: FSWatcher | undefined;
    let isClosed = false;
    let signature = this.configSignature();
    const attach = () =>
      void import('./dir-config-watcher.ts').then(({ watchDirFiles }) => {
        if (isClosed) return;
        const fresh = watchDirFiles(this.root, names, () => {
          signature = this.configSignature();
          onChange();
        }, onProblem);
        const previous = watcher;
        watcher = fresh;
        void previous?.close();
      });
    attach();
    const timer = setInterval(() => {
      const now = this.configSignature();
      if (now === signature) return;
      signature = now;
      attach();
      onChange();
    }, WATCH_RESYNC_MS);
    timer.unref();
    return async () => {
      isClosed = true;
      clearInterval(timer);
      await watcher?.close();
    };
  }

  readLeases(): Map<string, LeaseView> | StoreUnavailable {
    try {
      return readLeases(this.root);
    } catch (error) {
      return { kind: 'unavailable', message: (error as Error).message, cause: error };
    }
  }

  configName(file: ConfigFileName): string {
    return join(this.root, file);
  }

  leaseName(name: string): string {
    return join(this.paths.leases, name);
  }

  close(): void {}
}

function fileSignature(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  }
}
