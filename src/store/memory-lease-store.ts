import { assert } from '../common/assert.ts';
import { LeaseCallClock } from './lease-observations.ts';
import {
  assertNodeName,
  assertRenewedAgo,
  type AcquireOutcome,
  type AdoptOutcome,
  type LeaseName,
  type LeaseStore,
  type LeaseInspection,
  type ReleaseOutcome,
} from './lease-store.ts';

/**
 * The reference semantics of a lease store, in memory: one record per lease, changed only by a
 * compare-and-set on its version (generation, counter). With no visibility delay every node sees a
 * change the moment it happens, as in the simulator and Proxmox's replicated store: take only when the
 * lease was not renewed for strictly more than the timeout, renew while the holder renewed within it.
 *
 * All nodes share one time base here (the caller's `nowMs`), like the simulator's virtual clock.
 * `setVisibilityDelay` models stale reads: that node decides on the state as it was `delayMs` ago (its
 * own writes it sees at once), and its compare-and-set fails when the lease changed since.
 */
export class MemoryLeaseBoard {
  private readonly leases = new Map<LeaseName, LeaseHistory>();
  private readonly delaysMs = new Map<string, number>();
  private readonly unreachable = new Set<string>();

  constructor(readonly leaseTimeoutMs: number) {
    assert(Number.isSafeInteger(leaseTimeoutMs) && leaseTimeoutMs > 0, `Lease timeout must be a positive integer, got ${leaseTimeoutMs}`);
  }

  /** The store of one node. */
  forNode(node: string): LeaseStore {
    assertNodeName(node);
    return new MemoryLeaseStore(this, node);
  }

  setVisibilityDelay(node: string, delayMs: number): void {
    assert(Number.isSafeInteger(delayMs) && delayMs >= 0, `Visibility delay of ${node} must be a non-negative integer, got ${delayMs}`);
    this.delaysMs.set(node, delayMs);
  }

  /** An unreachable node gets 'unavailable' from every call (a partition, a dead store). */
  setReachable(node: string, isReachable: boolean): void {
    if (isReachable) this.unreachable.delete(node);
    else this.unreachable.add(node);
  }

  isReachable(node: string): boolean {
    return !this.unreachable.has(node);
  }

  /** The true current record, for tests and the simulator's checks. */
  current(name: LeaseName): Readonly<MemoryLeaseRecord> | undefined {
    return this.leases.get(name)?.latest();
  }

  /** The record as `node` sees it at `nowMs`. */
  viewOf(name: LeaseName, node: string, nowMs: number): MemoryLeaseRecord | undefined {
    return this.leases.get(name)?.seenBy(node, nowMs - (this.delaysMs.get(node) ?? 0));
  }

  /** Replaces the record if it is still `expected` (same object: same version); false when it changed. */
  compareAndSet(name: LeaseName, expected: MemoryLeaseRecord | undefined, next: MemoryLeaseRecord, nowMs: number): boolean {
    let history = this.leases.get(name);
    if (history?.latest() !== expected) return false;
    if (!history) {
      history = new LeaseHistory();
      this.leases.set(name, history);
    }
    history.push(next, nowMs, this.longestDelayMs());
    return true;
  }

  private longestDelayMs(): number {
    return Math.max(0, ...this.delaysMs.values());
  }
}

export interface MemoryLeaseRecord {
  readonly generation: number;
  readonly holder: string;
  readonly counter: number;
  readonly renewedMs: number;
  readonly isReleased: boolean;
}

/** A stale view must be older than this many changes of one lease: a runaway test fails loudly. */
const HISTORY_ENTRIES_MAX = 10_000;

/** The versions of one lease with the time each appeared, kept as long as a delayed view may need them. */
class LeaseHistory {
  private readonly entries: Array<{ record: MemoryLeaseRecord; atMs: number }> = [];

  latest(): MemoryLeaseRecord | undefined {
    return this.entries.at(-1)?.record;
  }

  push(record: MemoryLeaseRecord, atMs: number, keepMs: number): void {
    this.entries.push({ record, atMs });
    while (this.entries.length > 1 && this.entries[1]!.atMs <= atMs - keepMs) this.entries.shift();
    assert(this.entries.length <= HISTORY_ENTRIES_MAX, `Lease history holds ${this.entries.length} entries, limit ${HISTORY_ENTRIES_MAX}`);
  }

  /** The newest version visible at `visibleMs`, or newer when `node` wrote it itself. */
  seenBy(node: string, visibleMs: number): MemoryLeaseRecord | undefined {
    for (let index = this.entries.length - 1; index >= 0; index--) {
      const entry = this.entries[index]!;
      if (entry.atMs <= visibleMs || entry.record.holder === node) return entry.record;
    }
    return undefined;
  }
}

class MemoryLeaseStore implements LeaseStore {
  readonly leaseTimeoutMs: number;
  private readonly calls: LeaseCallClock;

  constructor(
    private readonly board: MemoryLeaseBoard,
    readonly node: string,
  ) {
    this.leaseTimeoutMs = board.leaseTimeoutMs;
    this.calls = new LeaseCallClock(node);
  }

  acquire(name: LeaseName, nowMs: number): AcquireOutcome {
    this.checkCall(name, nowMs);
    if (!this.board.isReachable(this.node)) return 'unavailable';
    const seen = this.board.viewOf(name, this.node, nowMs);
    if (seen && this.isHeldByMe(seen, nowMs)) {
      const renewed = { ...seen, counter: seen.counter + 1, renewedMs: nowMs };
      return this.board.compareAndSet(name, seen, renewed, nowMs) ? 'renewed' : 'refused';
    }
    if (!this.mayTake(seen, nowMs)) return 'refused';
    const taken = { generation: (seen?.generation ?? 0) + 1, holder: this.node, counter: 1, renewedMs: nowMs, isReleased: false };
    return this.board.compareAndSet(name, seen, taken, nowMs) ? 'taken' : 'refused';
  }

  heldGeneration(name: LeaseName): number | undefined {
    const current = this.board.current(name);
    return current !== undefined && current.holder === this.node && !current.isReleased ? current.generation : undefined;
  }

  release(name: LeaseName, nowMs: number): ReleaseOutcome {
    this.checkCall(name, nowMs);
    if (!this.board.isReachable(this.node)) return 'unavailable';
    const seen = this.board.viewOf(name, this.node, nowMs);
    if (!seen || seen.holder !== this.node || seen.isReleased) return 'not-holder';
    return this.board.compareAndSet(name, seen, { ...seen, isReleased: true }, nowMs) ? 'released' : 'not-holder';
  }

  inspect(name: LeaseName, nowMs: number): LeaseInspection | 'unavailable' {
    this.checkCall(name, nowMs);
    if (!this.board.isReachable(this.node)) return 'unavailable';
    const seen = this.board.viewOf(name, this.node, nowMs);
    return {
      generation: seen?.generation ?? 0,
      holder: seen?.holder,
      isReleased: seen?.isReleased ?? false,
      isHeldByMe: seen !== undefined && this.isHeldByMe(seen, nowMs),
      mayTake: this.mayTake(seen, nowMs),
    };
  }

  /** Holding is the node's here (the record names it): adopting only checks that the record still does. */
  adopt(name: LeaseName, nowMs: number, renewedAgoMsMax: number): AdoptOutcome {
    this.checkCall(name, nowMs);
    assertRenewedAgo(name, renewedAgoMsMax);
    if (!this.board.isReachable(this.node)) return 'unavailable';
    if (renewedAgoMsMax > this.leaseTimeoutMs) return 'not-holder';
    const seen = this.board.viewOf(name, this.node, nowMs);
    return seen !== undefined && seen.holder === this.node && !seen.isReleased ? 'adopted' : 'not-holder';
  }

  private isHeldByMe(seen: MemoryLeaseRecord, nowMs: number): boolean {
    return seen.holder === this.node && !seen.isReleased && nowMs - seen.renewedMs <= this.leaseTimeoutMs;
  }

  private mayTake(seen: MemoryLeaseRecord | undefined, nowMs: number): boolean {
    return !seen || seen.isReleased || nowMs - seen.renewedMs > this.leaseTimeoutMs;
  }

  private checkCall(name: LeaseName, nowMs: number): void {
    this.calls.check(name, nowMs);
  }
}
