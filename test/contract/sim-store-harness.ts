import { REFERENCE_TIMING } from '../../src/common/timing.ts';
import { SimCluster } from '../../src/sim/sim-cluster.ts';
import { SimNodeStore } from '../../src/sim/sim-node-store.ts';
import { threeNodeScenario } from '../sim/three-node-scenario.ts';

/** How a simulated node loses the store: its own storage cut (`storage <node> off`) or the whole store down (`store down`). */
export type SimStoreFault = 'storage-cut' | 'store-down';

/**
 * A simulated cluster of three nodes (node1..node3) whose store the contracts run on through the
 * nodes' faces, exactly as the simulated daemons reach it (sim-env.ts builds the same SimNodeStore).
 * `setBroken` sets the simulator's own fault, as the fault commands do.
 */
export class SimStoreWorld {
  readonly cluster: SimCluster;

  constructor(private readonly fault: SimStoreFault) {
    // A `stale` command in the scenario makes the cluster keep the status history stale reads need.
    this.cluster = new SimCluster(threeNodeScenario('store-contract', [['stale node1 0']]), REFERENCE_TIMING, () => {});
  }

  store(node = 'node1'): SimNodeStore {
    return new SimNodeStore(this.cluster, node, { renewalMaxMs: REFERENCE_TIMING.renewalMaxMs });
  }

  /** Breaks node1's reach of the store (the store itself when the fault is `store-down`). */
  setBroken(isBroken: boolean): void {
    if (this.fault === 'store-down') this.cluster.faults.isStoreDown = isBroken;
    else this.cluster.faults.of('node1').isStorageCut = isBroken;
  }

  /** Simulated time passes by steps of at most `stepMs`, each ending with what the simulator runs between two daemon iterations. */
  elapse(ms: number, stepMs = 1000): void {
    const endMs = this.cluster.timeMs + ms;
    while (this.cluster.timeMs < endMs) {
      this.cluster.timeMs = Math.min(endMs, this.cluster.timeMs + stepMs);
      this.cluster.configTexts.deliverWatches();
    }
  }
}
