import { isWithoutWatchdog } from '../fence/fence-config.ts';
import { watch, type FSWatcher } from 'chokidar';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AssertionError } from '../common/assert.ts';
import type { Timing } from '../common/timing.ts';
import { loadHaConfig, type LoadedConfig } from '../config/load-config.ts';
import type { DriverKind } from '../common/driver-kinds.ts';
import { sharedPaths } from '../store/shared-dir.ts';
import type { HaConfig } from './env.ts';

const CONFIG_FILES = new Set(['resources.cfg', 'groups.cfg', 'rules.cfg', 'ha.cfg', 'fence.cfg']);

/**
 * The shared configuration as a daemon sees it: loaded at start, reloaded when chokidar reports a
 * change of resources.cfg, groups.cfg, rules.cfg, ha.cfg or fence.cfg (the reload happens at the next read, inside a round).
 * A file that does not parse is logged with its file and line and the last good config stays in force.
 *
 * A shared directory that cannot be reached (cut off, not mounted) also keeps the last good config:
 * the parser reads a missing file as an empty one, and an empty config would make a master drop every
 * service. Reachable means `leases/` is there, which the daemons never create themselves.
 *
 * Timings are read once, at start: a daemon's loop, lease store and watchdog were set up with them, so
 * a changed timing is logged and takes effect when the daemons restart. So is the driver mapping (ha.cfg
 * `drivers`): the LRM built its drivers from it, and swapping the driver of a type under services it
 * runs would lose sight of them; the config's check of service types follows the file at once.
 */
export class NodeConfigSource {
  private current: LoadedConfig;
  private generation = 0;
  private config: HaConfig;
  private isDirty = false;
  private lastError = '';
  private resourcesJson: string;
  private watcher: FSWatcher | undefined;
  private filesSignature = '';

  private constructor(
    private readonly sharedDir: string,
    loaded: LoadedConfig,
    private readonly log: (line: string) => void,
  ) {
    this.current = loaded;
    this.resourcesJson = JSON.stringify(loaded.config.resources);
    this.config = { ...loaded.config, generation: this.generation };
  }

  /** Loads the config once; throws ConfigError (file:line: problem) when it does not load at start. */
  static load(sharedDir: string, log: (line: string) => void): NodeConfigSource {
    return new NodeConfigSource(sharedDir, loadHaConfig(sharedDir), log);
  }

  /** The timings the daemon was started with. */
  get timing(): Timing {
    return this.current.timing;
  }

  /** ha.cfg's service type → driver mapping as the daemon was started with it (its LRM built its drivers from it). */
  get driverKinds(): Readonly<Record<string, DriverKind>> {
    return this.current.driverKinds;
  }

  /** Whether fence.cfg, as loaded at start, runs `node` without a watchdog. */
  isWithoutWatchdog(node: string): boolean {
    return isWithoutWatchdog(this.current.config.fence, node);
  }

  /** The nodes ha.cfg declares (its `node:` sections) as last loaded; empty when it declares none. */
  get declaredNodes(): string[] {
    return Object.keys(this.current.nodes).sort();
  }

  /**
   * Why this node may not run daemons here, or undefined: when ha.cfg declares nodes, only those may
   * (a typo in --node would otherwise be a new node the master waits for); when it declares none (a
   * directory from before node sections), any node may.
   */
  undeclaredProblem(node: string): string | undefined {
    const declared = this.declaredNodes;
    if (declared.length === 0 || declared.includes(node)) return undefined;
    const file = sharedPaths(this.sharedDir).settings;
    return `Node '${node}' is not declared in ${file} (declared: ${declared.join(', ')}): run 'ha-manager node add ${node}' first, or start with the right --node`;
  }

  /** Starts watching the config files; events only mark the config for a reload at the next read. */
  watch(): void {
    if (this.watcher) return;
    this.watcher = watch(this.sharedDir, { depth: 0, ignoreInitial: true, followSymlinks: true });
    this.watcher.on('all', (_event, path) => {
      if (CONFIG_FILES.has(basename(path))) this.isDirty = true;
    });
    this.watcher.on('error', (error) => this.log(`Watching ${this.sharedDir} failed: ${(error as Error).message}`));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }

  /**
   * Marks the config dirty when a config file's identity (inode, size, mtime) changed since the last
   * look: one stat call per config file, once per round. A safety net under chokidar — inotify says nothing about
   * writes made by other hosts on a network filesystem, and an event can be lost while the watcher
   * re-attaches to a file replaced by rename.
   */
  checkFiles(): void {
    const signature = [...CONFIG_FILES].map((name) => fileSignature(join(this.sharedDir, name))).join('|');
    if (signature !== this.filesSignature) this.isDirty = true;
    this.filesSignature = signature;
  }

  /** Marks the config for reloading at the next read (a caller that knows it changed). */
  markDirty(): void {
    this.isDirty = true;
  }

  /** The config in force; the same object until a reload changed something. */
  read(): HaConfig {
    if (this.isDirty) this.reload();
    return this.config;
  }

  /** Reloads now; false when the directory is unreachable or a file does not parse (old config kept). */
  reload(): boolean {
    if (!this.isReachable()) return false;
    this.isDirty = false;
    let loaded: LoadedConfig;
    try {
      loaded = loadHaConfig(this.sharedDir);
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      const message = (error as Error).message;
      if (message !== this.lastError) this.log(`Config not reloaded, keeping the last good one: ${message}`);
      this.lastError = message;
      return false;
    }
    this.lastError = '';
    this.apply(loaded);
    return true;
  }

  private apply(loaded: LoadedConfig): void {
    if (JSON.stringify(loaded.timing) !== JSON.stringify(this.current.timing)) {
      this.log(`Timings in ${sharedPaths(this.sharedDir).settings} changed: they take effect when the daemons restart`);
    }
    if (JSON.stringify(loaded.driverKinds) !== JSON.stringify(this.current.driverKinds)) {
      this.log(`Drivers in ${sharedPaths(this.sharedDir).settings} changed: the LRM uses them when it restarts`);
    }
    const resourcesJson = JSON.stringify(loaded.config.resources);
    if (resourcesJson !== this.resourcesJson) this.generation++;
    const isSame = resourcesJson === this.resourcesJson && JSON.stringify(loaded.config) === JSON.stringify(this.current.config);
    this.resourcesJson = resourcesJson;
    this.current = { ...loaded, timing: this.current.timing, driverKinds: this.current.driverKinds };
    if (!isSame) this.config = { ...loaded.config, generation: this.generation };
  }

  private isReachable(): boolean {
    try {
      return statSync(sharedPaths(this.sharedDir).leases).isDirectory();
    } catch {
      this.isDirty = true; // try again once it is back
      return false;
    }
  }
}

function fileSignature(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  }
}
