import { isWithoutWatchdog } from '../fence/fence-config.ts';
import { performance } from 'node:perf_hooks';
import { AssertionError } from '../common/assert.ts';
import type { Timing } from '../common/timing.ts';
import { ConfigUnavailable, loadHaConfig, type LoadedConfig } from '../config/load-config.ts';
import type { DriverKind } from '../common/driver-kinds.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import type { HaConfig } from './env.ts';

/** A watch that keeps failing (a node cut off) is said once in this long: the rest go to nobody, the round's check goes on. */
const WATCH_PROBLEM_QUIET_MS = 60_000;

/**
 * The cluster's configuration as a daemon sees it, on either store: loaded at start, reloaded when the
 * store's watch reports a change of resources.cfg, groups.cfg, rules.cfg, ha.cfg or fence.cfg (chokidar
 * on a shared directory, a prefix watch on etcd; the reload happens at the next read, inside a round).
 * A file that does not parse is logged with its file and line and the last good config stays in force.
 *
 * A store that cannot be reached (cut off, not mounted, no etcd majority) also keeps the last good
 * config: the parser reads a missing file as an empty one, and an empty config would make a master drop
 * every service. Reachable means the store's probe says 'ready' (dir: `leases/` is there; etcd: the
 * cluster's marker key), which the daemons never create themselves.
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
  private stopWatching: (() => Promise<void>) | undefined;
  private filesSignature = '';
  /**
   * A look at the store failed since the round's check: reloads wait for the next round. On etcd a
   * failed call takes its deadline (seconds), and a round reads the config many times.
   */
  private isKnownUnreachable = false;

  private constructor(
    private readonly store: ClusterStore,
    loaded: LoadedConfig,
    private readonly log: (line: string) => void,
  ) {
    this.current = loaded;
    this.resourcesJson = JSON.stringify(loaded.config.resources);
    this.config = { ...loaded.config, generation: this.generation };
  }

  /** Loads the config once; throws ConfigError (file:line: problem) when it does not load at start. */
  static load(store: ClusterStore, log: (line: string) => void): NodeConfigSource {
    return new NodeConfigSource(store, loadHaConfig(store), log);
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
    const file = this.store.configName('ha.cfg');
    return `Node '${node}' is not declared in ${file} (declared: ${declared.join(', ')}): run 'ha-manager node add ${node}' first, or start with the right --node`;
  }

  /**
   * Starts watching the config files; events only mark the config for a reload at the next read. A
   * watch problem is said at most once per WATCH_PROBLEM_QUIET_MS: an etcd watch retries every endpoint
   * while the node is cut off, and each failure would be a line; the per-round signature check goes on
   * meanwhile, so nothing depends on the watch alone.
   */
  watch(): void {
    if (this.stopWatching) return;
    let saidMs: number | undefined;
    this.stopWatching = this.store.watchConfig(
      () => (this.isDirty = true),
      (message) => {
        const nowMs = performance.now();
        if (saidMs !== undefined && nowMs - saidMs < WATCH_PROBLEM_QUIET_MS) return;
        saidMs = nowMs;
        this.log(`${message} (the config is still checked every round; the next watch problem is said after ${WATCH_PROBLEM_QUIET_MS / 1000} s at the earliest)`);
      },
    );
  }

  async close(): Promise<void> {
    await this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /**
   * Marks the config dirty when the store's config signature changed since the last look (dir: one stat
   * per config file; etcd: one keys-only range), once per round. A safety net under the watch — inotify
   * says nothing about writes made by other hosts on a network filesystem, an event can be lost while
   * chokidar re-attaches to a file replaced by rename, and a stalled etcd watch gives no signal.
   * An unreachable store changes nothing here: the reload waits until it is back (isReachable).
   */
  checkFiles(): void {
    const signature = this.store.configSignature();
    this.isKnownUnreachable = typeof signature !== 'string';
    if (typeof signature !== 'string') return;
    if (signature !== this.filesSignature) this.isDirty = true;
    this.filesSignature = signature;
  }

  /** The round found the store out of reach: no reload is tried before the next round's checkFiles. */
  markUnreachable(): void {
    this.isKnownUnreachable = true;
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

  /** Reloads now; false when the store is unreachable or a file does not parse (old config kept). */
  reload(): boolean {
    if (!this.isReachable()) return false;
    this.isDirty = false;
    let loaded: LoadedConfig;
    try {
      loaded = loadHaConfig(this.store);
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      if (error instanceof ConfigUnavailable) [this.isKnownUnreachable, this.isDirty] = [true, true]; // not a config problem: again next round
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
      this.log(`Timings in ${this.store.configName('ha.cfg')} changed: they take effect when the daemons restart`);
    }
    if (JSON.stringify(loaded.driverKinds) !== JSON.stringify(this.current.driverKinds)) {
      this.log(`Drivers in ${this.store.configName('ha.cfg')} changed: the LRM uses them when it restarts`);
    }
    const resourcesJson = JSON.stringify(loaded.config.resources);
    if (resourcesJson !== this.resourcesJson) this.generation++;
    const isSame = resourcesJson === this.resourcesJson && JSON.stringify(loaded.config) === JSON.stringify(this.current.config);
    this.resourcesJson = resourcesJson;
    this.current = { ...loaded, timing: this.current.timing, driverKinds: this.current.driverKinds };
    if (!isSame) this.config = { ...loaded.config, generation: this.generation };
  }

  /**
   * Probed again right before the reads rather than taken from the round's sample: on a dir store an
   * unmounted share reads as missing files, which is an empty config, so the check that the store is
   * there must come as close to the reads as it can. On etcd it costs one range in a round that reloads.
   */
  private isReachable(): boolean {
    if (!this.isKnownUnreachable && this.store.probe() === 'ready') return true;
    this.isKnownUnreachable = true;
    this.isDirty = true; // try again once it is back
    return false;
  }
}
