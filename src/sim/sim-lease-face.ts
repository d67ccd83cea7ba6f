import { assert } from '../common/assert.ts';
import {
  assertLeaseCall,
  assertNodeName,
  assertRenewedAgo,
  MANAGER_LEASE as MANAGER_LEASE_NAME,
  type AcquireOutcome,
  type AdoptOutcome,
  type LeaseInspection,
  type LeaseName,
  type LeaseStore,
  type ReleaseOutcome,
} from '../store/lease-store.ts';
import { agentLeaseName, MANAGER_LEASE, type LeaseObserver, type SimLeaseStore } from './sim-store.ts';

/** What a node's face needs of the simulated world besides the store. */
export interface SimLeaseFaceWorld {
  readonly node: string;
  /** The simulated (global) time now: versions are stamped with it. */
  readonly simTimeMs: () => number;
  /** This node's clock at a simulated time (drift). */
  readonly ownClockAt: (timeMs: number) => number;
  /** How far behind this node's reads lag (stale reads). */
  readonly staleMs: () => number;
  /** False while this node cannot reach the store (storage cut, store down or too slow). */
  readonly isReachable: () => boolean;
}

/**
 * The LeaseStore port of one simulated node over the simulator's lease store: the same contract as
 * the dir and memory stores (test/contract), in the store's own terms. Holding is the node's, as in
 * the reference model (Proxmox's cluster filesystem): a restarted daemon of the holder's node renews at
 * once, and `adopt` only checks that the lease still names this node. Every node learns of a renewal
 * the moment it happens (unless its reads are stale), so expiry follows the renewal's time as that
 * node's clock measures it.
 *
 * `nowMs` of every call is the node's own clock, sampled right before the call (as the port says); the
 * face asserts that it is its clock at the simulated time now, so a call can never be stamped with
 * another moment than the one it happens at.
 */
export class SimLeaseFace implements LeaseStore {
  readonly node: string;
  readonly leaseTimeoutMs: number;
  private lastNowMs = Number.MIN_SAFE_INTEGER;

  constructor(
    private readonly store: SimLeaseStore,
    private readonly world: SimLeaseFaceWorld,
  ) {
    assertNodeName(world.node);
    this.node = world.node;
    this.leaseTimeoutMs = store.leaseTimeoutMs;
  }

  acquire(name: LeaseName, nowMs: number): AcquireOutcome {
    const observer = this.observe(name, nowMs);
    if (!this.world.isReachable()) return 'unavailable';
    return this.store.acquire(simLeaseName(name), observer);
  }

  release(name: LeaseName, nowMs: number): ReleaseOutcome {
    const observer = this.observe(name, nowMs);
    if (!this.world.isReachable()) return 'unavailable';
    return this.store.release(simLeaseName(name), this.node, observer.nowMs) ? 'released' : 'not-holder';
  }

  inspect(name: LeaseName, nowMs: number): LeaseInspection | 'unavailable' {
    const observer = this.observe(name, nowMs);
    if (!this.world.isReachable()) return 'unavailable';
    const simName = simLeaseName(name);
    const seen = this.store.visible(simName, observer);
    const latest = this.store.latest(simName);
    const isHeldByMe = latest?.holder === this.node && observer.nowMs - latest.writtenMs <= this.leaseTimeoutMs;
    return {
      generation: seen?.generation ?? 0,
      holder: seen?.takenBy,
      isReleased: seen !== undefined && seen.holder === undefined,
      isHeldByMe,
      mayTake: !isHeldByMe && this.store.isTakeableBy(simName, observer),
    };
  }

  /** Its own last write: the latest version, when this node wrote it and has not released it. */
  heldGeneration(name: LeaseName): number | undefined {
    const latest = this.store.latest(simLeaseName(name));
    return latest !== undefined && latest.holder === this.node ? latest.generation : undefined;
  }

  adopt(name: LeaseName, nowMs: number, renewedAgoMsMax: number): AdoptOutcome {
    const observer = this.observe(name, nowMs);
    assertRenewedAgo(name, renewedAgoMsMax);
    if (!this.world.isReachable()) return 'unavailable';
    if (renewedAgoMsMax > this.leaseTimeoutMs) return 'not-holder';
    const simName = simLeaseName(name);
    const seen = this.store.visible(simName, observer);
    const isCurrent = seen !== undefined && seen.generation === this.store.latest(simName)?.generation;
    return isCurrent && seen.holder === this.node ? 'adopted' : 'not-holder';
  }

  private observe(name: LeaseName, nowMs: number): LeaseObserver {
    assertLeaseCall(name, nowMs);
    assert(nowMs >= this.lastNowMs, `Lease store of ${this.node}: nowMs went back from ${this.lastNowMs} to ${nowMs}`);
    this.lastNowMs = nowMs;
    const simNowMs = this.world.simTimeMs();
    assert(nowMs === this.world.ownClockAt(simNowMs), `Lease call of ${this.node} at own time ${nowMs}, but its clock reads ${this.world.ownClockAt(simNowMs)} now`);
    return { node: this.node, nowMs: simNowMs, staleMs: this.world.staleMs(), ownClockAt: this.world.ownClockAt };
  }
}

/** The reference model's lease names (`ha_manager_lock`, `ha_agent_<node>_lock`), which the trace shows. */
export function simLeaseName(name: LeaseName): string {
  return name === MANAGER_LEASE_NAME ? MANAGER_LEASE : agentLeaseName(name.slice('agent.'.length));
}
