/**
 * The faults the simulated adapters can be told to inject (chaos runs and the fault commands of
 * sim-commands.ts). Everything is off by default: a scenario that uses no fault command runs exactly
 * the reference model.
 */

/** How far back a stale read may reach: the dir store's bound, see docs/shared-dir.md and src/chaos. */
export const STALE_READ_MS_MAX = 30_000;
/** The simulated store keeps versions this far back, enough for any stale read. */
export const STORE_HISTORY_MS = 2 * STALE_READ_MS_MAX;

export type PausedDaemons = 'all' | 'crm' | 'lrm';

/** Faults of one node. */
export interface NodeFaults {
  /** The node cannot reach the shared storage (leases, status files, commands, config updates). */
  isStorageCut: boolean;
  /** Its reads of leases and status files show the store as it was this long ago. */
  staleMs: number;
  /** Its HA daemons are stopped (SIGSTOP) until this simulated time. */
  pausedUntilMs: number;
  pausedDaemons: PausedDaemons;
}

/** Faults of the whole cluster. */
export class SimFaults {
  readonly nodes = new Map<string, NodeFaults>();
  /** The store answers nobody. */
  isStoreDown = false;
  /** Extra time every store operation takes; past the renewal limit an operation counts as failed. */
  storeLatencyMs = 0;

  constructor(nodeNames: readonly string[]) {
    for (const name of nodeNames) this.nodes.set(name, { isStorageCut: false, staleMs: 0, pausedUntilMs: 0, pausedDaemons: 'all' });
  }

  of(node: string): NodeFaults {
    const faults = this.nodes.get(node);
    if (!faults) throw new Error(`No faults record for node ${node}`);
    return faults;
  }

  /**
   * Whether `node` reaches the store now: not while it is cut from it, the store is down, or the store
   * is slower than a renewal may take (`renewalMaxMs`: a call that returns later counts as failed).
   */
  canReachStore(node: string, renewalMaxMs: number): boolean {
    if (this.isStoreDown || this.storeLatencyMs > renewalMaxMs) return false;
    return !this.of(node).isStorageCut;
  }

  isPaused(node: string, daemon: 'crm' | 'lrm', timeMs: number): boolean {
    const faults = this.of(node);
    return timeMs < faults.pausedUntilMs && (faults.pausedDaemons === 'all' || faults.pausedDaemons === daemon);
  }

  /** Clears every fault but clock drift (bounded drift is the normal state of clocks). */
  healAll(): void {
    this.isStoreDown = false;
    this.storeLatencyMs = 0;
    for (const faults of this.nodes.values()) {
      faults.isStorageCut = false;
      faults.staleMs = 0;
      faults.pausedUntilMs = 0;
    }
  }
}
