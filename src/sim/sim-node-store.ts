import type { ClusterStore } from '../store/cluster-store.ts';
import type { StoreUnavailable } from '../store/store-ports.ts';
import type { SimCluster } from './sim-cluster.ts';
import { SimCommandFace } from './sim-command-queue.ts';
import { SimConfigFace } from './sim-config-files.ts';
import { SimLeaseFace } from './sim-lease-face.ts';
import { SimStatusFace } from './sim-status-face.ts';
import { simStoreReach, type SimStoreReach } from './sim-store-reach.ts';

/**
 * The simulated store as one node sees it: the same ports a node's daemons get from a ClusterStore
 * (leases, status, commands, config, the config watch), each a face over the simulated cluster's memory
 * reached through the node's one SimStoreReach, so that a storage cut, a store that is down or too
 * slow, and stale reads hit every port alike. The simulated daemons (sim-env.ts) use exactly these,
 * and test/contract runs the store contracts on them.
 */
export class SimNodeStore implements Pick<ClusterStore, 'status' | 'commands' | 'config' | 'watchConfig' | 'configSignature'> {
  readonly reach: SimStoreReach;
  readonly leases: SimLeaseFace;
  readonly status: SimStatusFace;
  readonly commands: SimCommandFace;
  readonly config: SimConfigFace;

  constructor(
    private readonly cluster: SimCluster,
    node: string,
    options: { readonly renewalMaxMs: number },
  ) {
    this.reach = simStoreReach(cluster, node, options.renewalMaxMs);
    this.leases = new SimLeaseFace(cluster.leases, this.reach);
    this.status = new SimStatusFace(cluster, this.reach);
    this.commands = new SimCommandFace(cluster.commandQueue, this.reach);
    this.config = new SimConfigFace(cluster.configTexts, this.reach);
  }

  /** Told between two daemon iterations (the simulator's step) after a config file changed. */
  watchConfig(onChange: () => void, onProblem: (message: string) => void): () => Promise<void> {
    return this.cluster.configTexts.watch(this.reach, onChange, onProblem);
  }

  configSignature(): string | StoreUnavailable {
    if (!this.reach.isReachable()) return { kind: 'unavailable', message: `Cannot read the config signature: ${this.reach.whyUnreachable()}` };
    return this.cluster.configTexts.signature();
  }
}
