import { assert, AssertionError } from '../common/assert.ts';
import { applyResourcePatches, editConfigLocked, type ResourcePatch } from '../config/config-edit.ts';
import { describeOwner, LOCK_WAIT_MS_MAX, tryConfigLock, type LockIdentity } from '../store/config-lock.ts';
import { sharedPaths } from '../store/shared-dir.ts';
import type { HaConfig } from './env.ts';

/** The first retry after a held lock; each next one waits twice as long, up to RETRY_DELAY_MS_MAX. */
const RETRY_DELAY_MS_MIN = 20;
/**
 * A live holder is done within milliseconds; one whose owner died is broken at once (liveness), one
 * whose node is unreachable after LOCK_STALE_MS: a look every 2 s at most finds it free soon enough.
 */
export const RETRY_DELAY_MS_MAX = 2_000;
/** Patches are one per service of the config; more services than this pending is a bug. */
const PENDING_SIDS_MAX = 1_000_000;

export interface ResourceUpdateWriterOptions {
  readonly sharedDir: string;
  readonly identity: LockIdentity;
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
 * (DESIGN.md "Shared directory") — applied under the config lock between rounds, never inside one:
 * the round only queues a patch (the latest per service wins, merged with earlier ones), and a timer
 * takes the lock without waiting, writes every queued patch in one read-modify-write, and on a held
 * lock retries with a doubling delay of at most RETRY_DELAY_MS_MAX. So a lock held for longer than the
 * watchdog client timeout delays the write, never a round, and the watchdog is fed on time.
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
    let attempt;
    try {
      attempt = tryConfigLock(this.options.sharedDir, this.options.identity);
    } catch (error) {
      return this.retryLater(`Cannot take the config lock: ${(error as Error).message}`);
    }
    if (attempt.kind === 'held') return this.retryLater(this.heldProblem(attempt.owner));
    const patches = this.pending;
    let written: string[];
    try {
      written = editConfigLocked(this.options.sharedDir, (documents) => applyResourcePatches(documents, patches));
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      return this.retryLater(`Cannot write resources.cfg: ${(error as Error).message}`);
    } finally {
      attempt.release();
    }
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
   * What a held lock is worth saying: at once, the first time in a wait (which lock, who holds it, how
   * often it is tried); then nothing until LOCK_WAIT_MS_MAX, and from then on who holds it.
   */
  private heldProblem(owner: Parameters<typeof describeOwner>[0]): string {
    if (this.waitedTooLong()) return `held by ${describeOwner(owner)}`;
    if (this.isLockWaitSaid) return '';
    this.isLockWaitSaid = true;
    return `the config lock ${sharedPaths(this.options.sharedDir).configLock} is held by ${describeOwner(owner)}; tried again every ${RETRY_DELAY_MS_MAX / 1000} s at most, said again after ${LOCK_WAIT_MS_MAX / 1000} s`;
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
