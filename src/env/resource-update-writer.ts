import { existsSync } from 'node:fs';
import { assert, AssertionError } from '../common/assert.ts';
import { applyResourcePatches, tryEditConfig, type EditAttempt, type ResourcePatch } from '../config/config-edit.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { describeOwner, LOCK_WAIT_MS_MAX, readOwner, type LockOwner } from '../store/config-lock.ts';
import { DirClusterStore } from '../store/dir-cluster-store.ts';
import type { HaConfig } from './env.ts';

/** The first retry after a conflict (a held lock, a concurrent edit); each next one waits twice as long, up to RETRY_DELAY_MS_MAX. */
const RETRY_DELAY_MS_MIN = 20;
/**
 * A live holder is done within milliseconds; one whose owner died is broken at once (liveness), one
 * whose node is unreachable after LOCK_STALE_MS: a look every 2 s at most finds it free soon enough.
 */
export const RETRY_DELAY_MS_MAX = 2_000;
/** Patches are one per service of the config; more services than this pending is a bug. */
const PENDING_SIDS_MAX = 1_000_000;

export interface ResourceUpdateWriterOptions {
  /**
   * The cluster's store, opened by a daemon: a dir store's config writes never wait for the lock (a
   * busy lock is a 'conflict'), and name this node as the lock's owner.
   */
  readonly store: ClusterStore;
  /**
   * Whether this node may still write the master's decisions: it holds the manager lease with time to
   * spare. A write that may not happen is dropped, not delayed: the next master decides again.
   */
  readonly mayWrite: () => boolean;
  /** Right after a write: the config source reloads, so the written patches show in the file's config. */
  readonly onWritten: (sids: readonly string[]) => void;
  /** A problem for the operator (one line): a long wait, a failed write, dropped patches. */
  readonly onProblem: (message: string) => void;
  /** This node's monotonic clock. */
  readonly nowMs: () => number;
}

/**
 * The master's writes of resources.cfg — the node and requested state it decided for a service
 * (DESIGN.md "Shared directory") — applied between rounds, never inside one: the round only queues a
 * patch (the latest per service wins, merged with earlier ones), and a timer writes every queued patch
 * in one read-modify-write by compare-and-set (tryEditConfig: under the config lock, taken without
 * waiting, on a dir store; one txn on etcd). A conflict — a held lock, or an edit that changed the file
 * since it was read — or a store out of reach is retried with a doubling delay of at most
 * RETRY_DELAY_MS_MAX. So a lock held for longer than the watchdog client timeout delays the write,
 * never a round, and the watchdog is fed on time.
 *
 * Until a patch is written the master reads the config with it on top (`overlay`), as it would had the
 * write been immediate: the simulator applies it at once, and both must decide alike. Locking: all
 * calls come from the daemon's one thread, so a write never interleaves with a round.
 */
export class ResourceUpdateWriter {
  private pending = new Map<string, ResourcePatch>();
  private version = 0;
  private overlaid: { base: HaConfig; version: number; config: HaConfig } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryDelayMs = RETRY_DELAY_MS_MIN;
  private waitingSinceMs: number | undefined;
  private lastProblem = '';
  /** The current wait for a held lock was said (once, at once; heldProblem). */
  private isLockWaitSaid = false;

  constructor(private readonly options: ResourceUpdateWriterOptions) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Queues a patch; it is written after the round that queued it. */
  enqueue(sid: string, patch: ResourcePatch): void {
    this.pending.set(sid, { ...this.pending.get(sid), ...patch });
    assert(this.pending.size <= PENDING_SIDS_MAX, `Resource updates pending for ${this.pending.size} services, limit ${PENDING_SIDS_MAX}`);
    this.version++;
    this.waitingSinceMs ??= this.options.nowMs();
    if (this.timer === undefined) this.schedule(0);
  }

  /** `config` with the patches not yet written on top; the same object while neither changed. */
  overlay(config: HaConfig): HaConfig {
    if (this.pending.size === 0) return config;
    if (this.overlaid?.base === config && this.overlaid.version === this.version) return this.overlaid.config;
    const resources = { ...config.resources };
    for (const [sid, patch] of this.pending) {
      const resource = resources[sid];
      if (resource !== undefined) resources[sid] = { ...resource, ...patch };
    }
    // No generation: readers must look at every resource while the file and this view differ.
    const { generation: _generation, ...rest } = config;
    const overlaid: HaConfig = { ...rest, resources };
    this.overlaid = { base: config, version: this.version, config: overlaid };
    return overlaid;
  }

  /**
   * One attempt to write everything pending, now: never waits for the lock. True when nothing is left
   * pending (written, or dropped because this node may no longer write).
   */
  writeNow(): boolean {
    this.cancelTimer();
    if (this.pending.size === 0) return true;
    if (!this.options.mayWrite()) return this.drop('this node no longer holds the manager lease');
    const { store } = this.options;
    const patches = this.pending;
    let outcome: EditAttempt<string[]>;
    try {
      outcome = tryEditConfig(store, (documents) => applyResourcePatches(documents, patches));
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      return this.retryLater(`Cannot write ${store.configName('resources.cfg')}: ${(error as Error).message}`);
    }
    if (outcome.kind === 'unavailable') return this.retryLater(`Cannot write ${store.configName('resources.cfg')}: ${outcome.message}`);
    if (outcome.kind === 'conflict') return this.retryLater(this.conflictProblem());
    const written = outcome.result;
    this.pending = new Map();
    this.version++;
    this.retryDelayMs = RETRY_DELAY_MS_MIN;
    this.waitingSinceMs = undefined;
    this.lastProblem = '';
    this.isLockWaitSaid = false;
    this.options.onWritten(written);
    return true;
  }

  /** Drops what is pending (logged): the daemon leaves, or this node is no longer master. */
  drop(why: string): true {
    this.cancelTimer();
    if (this.pending.size > 0) this.options.onProblem(`Resource updates of ${[...this.pending.keys()].join(', ')} not written to resources.cfg: ${why}`);
    this.pending = new Map();
    this.version++;
    this.waitingSinceMs = undefined;
    this.isLockWaitSaid = false;
    return true;
  }

  private retryLater(problem: string): false {
    if (problem !== '' && problem !== this.lastProblem) {
      const waitedS = Math.round((this.options.nowMs() - (this.waitingSinceMs ?? this.options.nowMs())) / 1000);
      this.options.onProblem(`Resource updates of ${this.pending.size} services waiting ${waitedS} s (retrying, rounds go on): ${problem}`);
    }
    this.lastProblem = problem;
    this.schedule(this.retryDelayMs);
    this.retryDelayMs = Math.min(RETRY_DELAY_MS_MAX, 2 * this.retryDelayMs);
    return false;
  }

  /**
   * What a conflict is worth saying: at once, the first time in a wait (on a dir store whose lock is
   * held: which lock and who holds it; else that the config changed under the write), and how often it
   * is tried; then nothing until LOCK_WAIT_MS_MAX, and from then on who holds the lock, or that the
   * config keeps changing.
   */
  private conflictProblem(): string {
    const held = heldLockOf(this.options.store);
    const what = held !== undefined ? `the config lock ${held.lockPath} is held by ${describeOwner(held.owner)}` : `${this.options.store.configName('resources.cfg')} changed while it was written (a concurrent edit)`;
    if (this.waitedTooLong()) return held !== undefined ? `held by ${describeOwner(held.owner)}` : 'the config keeps changing under the write';
    if (this.isLockWaitSaid) return '';
    this.isLockWaitSaid = true;
    return `${what}; tried again every ${RETRY_DELAY_MS_MAX / 1000} s at most, said again after ${LOCK_WAIT_MS_MAX / 1000} s`;
  }

  /** The CLI gives up after LOCK_WAIT_MS_MAX; a daemon keeps trying, and says so from then on. */
  private waitedTooLong(): boolean {
    return this.waitingSinceMs !== undefined && this.options.nowMs() - this.waitingSinceMs > LOCK_WAIT_MS_MAX;
  }

  private schedule(delayMs: number): void {
    this.cancelTimer();
    this.timer = setTimeout(() => this.writeNow(), delayMs);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * The config lock of a dir store, when it is held now (its owner, when the owner file could be read):
 * a dir store's 'conflict' of a daemon's write is most often that lock, and who holds it is what the
 * operator needs to know. Only words depend on this; etcd has no lock to name, its conflict is an edit.
 */
function heldLockOf(store: ClusterStore): { readonly lockPath: string; readonly owner: LockOwner | undefined } | undefined {
  if (!(store instanceof DirClusterStore)) return undefined;
  const lockPath = store.paths.configLock;
  return existsSync(lockPath) ? { lockPath, owner: readOwner(lockPath) } : undefined;
}
