/**
 * The simulator's lease store, modelled on the dir store (docs/shared-dir.md): a lease is a sequence
 * of generations; taking creates the next generation (an atomic mkdir: exactly one contender wins
 * against the generation it saw), renewing bumps the heartbeat inside the holder's own generation,
 * releasing leaves it free. A contender may take a lease only after it has observed the current
 * heartbeat unchanged for the whole timeout on its own clock.
 *
 * An observer sees a heartbeat `staleMs` after it was written (stale reads); with fresh reads and no
 * clock drift every node learns of a renewal the moment it happens, so "observed unchanged for the
 * timeout" is "not renewed within the timeout", as in the reference model. Renewing needs at most
 * the timeout since the holder's last renewal, taking needs strictly more.
 */
import { STORE_HISTORY_MS } from './sim-faults.ts';

export interface LeaseVersion {
  /** Undefined once released. */
  readonly holder: string | undefined;
  /** The node that took this generation (it stays named after a release). */
  readonly takenBy: string;
  readonly generation: number;
  /** Simulated time of the write. */
  readonly writtenMs: number;
}

/** Who looks at the store, when, and how. */
export interface LeaseObserver {
  readonly node: string;
  readonly nowMs: number;
  /** Its reads show the store as it was this long ago. */
  readonly staleMs: number;
  /** Its own clock at a simulated time. */
  readonly ownClockAt: (timeMs: number) => number;
}

export type LeaseOutcome = 'renewed' | 'taken' | 'refused';

/** Called on every successful acquire (invariant checks). */
export type AcquireListener = (name: string, node: string, outcome: 'renewed' | 'taken', nowMs: number) => void;

/** A lease's history is short: versions older than any stale read are dropped; this bounds it anyway. */
const VERSIONS_MAX = 4096;

export class SimLeaseStore {
  private readonly leases = new Map<string, LeaseVersion[]>();
  onAcquire: AcquireListener | undefined;

  constructor(readonly leaseTimeoutMs: number) {}

  /** Compare-and-set: renew if the observer holds it, take it if it is free or observed expired, else refuse. */
  acquire(name: string, observer: LeaseObserver): LeaseOutcome {
    const versions = this.leases.get(name);
    const latest = versions?.at(-1);
    const { node, nowMs } = observer;
    if (latest && latest.holder === node && nowMs - latest.writtenMs <= this.leaseTimeoutMs) {
      this.push(name, { holder: node, takenBy: node, generation: latest.generation, writtenMs: nowMs });
      this.onAcquire?.(name, node, 'renewed', nowMs);
      return 'renewed';
    }
    if (versions && latest && !this.isTakeable(versions, observer)) return 'refused';
    this.push(name, { holder: node, takenBy: node, generation: (latest?.generation ?? 0) + 1, writtenMs: nowMs });
    this.onAcquire?.(name, node, 'taken', nowMs);
    return 'taken';
  }

  /**
   * The observer may take the lease when the version it sees is free or unchanged for longer than
   * the timeout on its own clock, and no newer generation exists (the mkdir would fail).
   */
  private isTakeable(versions: readonly LeaseVersion[], observer: LeaseObserver): boolean {
    const visible = visibleVersion(versions, observer);
    if (!visible) return false; // nothing visible yet: the observer's first look starts its wait
    if (visible.generation !== versions.at(-1)!.generation) return false;
    if (visible.holder === undefined) return true;
    const seenOwnMs = observer.ownClockAt(visible.writtenMs + observer.staleMs);
    return observer.ownClockAt(observer.nowMs) - seenOwnMs > this.leaseTimeoutMs;
  }

  /** Release by the holder of the latest generation, also once it has expired (nobody took it since). */
  release(name: string, node: string, nowMs: number): boolean {
    const latest = this.leases.get(name)?.at(-1);
    if (!latest || latest.holder !== node) return false;
    this.push(name, { holder: undefined, takenBy: latest.takenBy, generation: latest.generation, writtenMs: nowMs });
    return true;
  }

  /** The holder of the latest generation, if it renewed within the timeout (the truth, not a node's view). */
  holderOf(name: string, nowMs: number): string | undefined {
    const latest = this.leases.get(name)?.at(-1);
    return latest && nowMs - latest.writtenMs <= this.leaseTimeoutMs ? latest.holder : undefined;
  }

  latest(name: string): LeaseVersion | undefined {
    return this.leases.get(name)?.at(-1);
  }

  /** Whether a lease an observer sees is one `acquire` by it would take now (free, released, or expired). */
  isTakeableBy(name: string, observer: LeaseObserver): boolean {
    const versions = this.leases.get(name);
    return versions === undefined || this.isTakeable(versions, observer);
  }

  /** The latest version an observer with stale reads can see, if any. */
  visible(name: string, observer: LeaseObserver): LeaseVersion | undefined {
    const versions = this.leases.get(name);
    return versions ? visibleVersion(versions, observer) : undefined;
  }

  private push(name: string, version: LeaseVersion): void {
    let versions = this.leases.get(name);
    if (!versions) {
      versions = [];
      this.leases.set(name, versions);
    }
    versions.push(version);
    const horizonMs = version.writtenMs - STORE_HISTORY_MS;
    let drop = 0;
    while (drop + 1 < versions.length && versions[drop + 1]!.writtenMs <= horizonMs) drop++;
    if (drop > 0) versions.splice(0, drop);
    if (versions.length > VERSIONS_MAX) throw new Error(`Lease ${name} keeps ${versions.length} versions, limit ${VERSIONS_MAX}`);
  }
}

function visibleVersion(versions: readonly LeaseVersion[], observer: LeaseObserver): LeaseVersion | undefined {
  const cutoffMs = observer.nowMs - observer.staleMs;
  for (let index = versions.length - 1; index >= 0; index--) {
    if (versions[index]!.writtenMs <= cutoffMs) return versions[index];
  }
  return undefined;
}

export const MANAGER_LEASE = 'ha_manager_lock';
export function agentLeaseName(node: string): string {
  return `ha_agent_${node}_lock`;
}
