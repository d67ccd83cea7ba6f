import type { SimLeaseFaceWorld } from './sim-lease-face.ts';
import type { SimCluster } from './sim-cluster.ts';

/**
 * How one simulated node reaches the simulated store: the simulated time, its own clock, how stale its
 * reads are and whether the store answers it at all. Every face of the node's store (leases, status,
 * commands, config, the config watch) asks this one object, so a fault means the same for each.
 */
export interface SimStoreReach extends SimLeaseFaceWorld {
  /** Why the store does not answer now, for the 'unavailable' messages. */
  readonly whyUnreachable: () => string;
}

/**
 * The reach of `node` in the simulated cluster: its storage cut, the store down, or the store slower
 * than `renewalMaxMs` (a call that returns later counts as failed) make it unreachable.
 */
export function simStoreReach(cluster: SimCluster, node: string, renewalMaxMs: number): SimStoreReach {
  const simNode = cluster.node(node);
  const faults = cluster.faults;
  return {
    node,
    simTimeMs: () => cluster.timeMs,
    ownClockAt: (timeMs) => simNode.clock.at(timeMs),
    staleMs: () => faults.of(node).staleMs,
    isReachable: () => faults.canReachStore(node, renewalMaxMs),
    whyUnreachable: () => {
      if (faults.isStoreDown) return 'the simulated store is down';
      if (faults.storeLatencyMs > renewalMaxMs) return `the simulated store answers in ${faults.storeLatencyMs} ms, over the ${renewalMaxMs} ms a call may take`;
      return faults.of(node).isStorageCut ? `${node} is cut from the simulated store` : 'the simulated store answers';
    },
  };
}
