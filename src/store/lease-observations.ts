import { assert } from '../common/assert.ts';
import { assertLeaseCall, type LeaseName } from './lease-store.ts';

/**
 * A contender's memory of the leases it does not hold: the one expiry rule of every store that compares
 * no clocks between nodes (src/store/lease-store.ts). A lease expires for this instance only when it has
 * itself seen the very same version of it (a store's own identity: a generation and heartbeat, a
 * mod_revision) for strictly more than the lease timeout, on its own monotonic clock, from its first look.
 */
export class LeaseObservations {
  private readonly seen = new Map<LeaseName, { readonly version: string; readonly firstSeenMs: number }>();

  constructor(private readonly leaseTimeoutMs: number) {}

  /** Records `version` as seen at `nowMs`; true when exactly it was seen first more than the timeout ago. */
  hasStayedUnchanged(name: LeaseName, version: string, nowMs: number): boolean {
    const previous = this.seen.get(name);
    if (previous?.version === version) return nowMs - previous.firstSeenMs > this.leaseTimeoutMs;
    this.seen.set(name, { version, firstSeenMs: nowMs });
    return false;
  }

  /**
   * An own lease this instance stopped renewing at `renewedMs`: it counts as seen unchanged since then,
   * so this node may take it anew as soon as any observer could (and no sooner).
   */
  seenSince(name: LeaseName, version: string, renewedMs: number): void {
    this.seen.set(name, { version, firstSeenMs: renewedMs });
  }

  /** This instance holds the lease now: what it saw before says nothing any more. */
  forget(name: LeaseName): void {
    this.seen.delete(name);
  }
}

/**
 * The caller's monotonic clock as one store instance sees it: every call checked (a bad lease name or
 * time is the caller's bug), and time never going back between calls.
 */
export class LeaseCallClock {
  private lastNowMs = Number.MIN_SAFE_INTEGER;

  constructor(private readonly node: string) {}

  check(name: LeaseName, nowMs: number): void {
    assertLeaseCall(name, nowMs);
    assert(nowMs >= this.lastNowMs, `Lease store of ${this.node}: nowMs went back from ${this.lastNowMs} to ${nowMs}`);
    this.lastNowMs = nowMs;
  }
}
