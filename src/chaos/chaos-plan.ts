import type { ClusterSettings, GroupConfig, ResourceConfig } from '../common/ha-config.ts';
import type { Timing } from '../common/timing.ts';
import type { ServiceLoad } from '../common/lrm-status.ts';
import type { FenceConfig } from '../fence/fence-config.ts';

/**
 * A generated chaos run, as data: the cluster and its configuration, and the command batches (the
 * conformance scenario language plus the fault commands of src/sim/sim-commands.ts). A plan is what
 * gets shrunk and written out as a scenario directory.
 */
export interface ChaosPlan {
  readonly seed: number;
  readonly nodes: readonly string[];
  readonly resources: Readonly<Record<string, ResourceConfig>>;
  /** Services already running on a node when the run starts, unknown to HA (unmanaged-schedule.ts). */
  readonly running: Readonly<Record<string, readonly string[]>>;
  readonly groups: Readonly<Record<string, GroupConfig>>;
  readonly settings: ClusterSettings;
  /** The timings of the run (the simulator's rounds follow them). */
  readonly timing: Timing;
  readonly batches: ReadonlyArray<readonly string[]>;
  /** What each service uses while it runs (`dynamic_service_stats`), when the plan places dynamically. */
  readonly loads?: Readonly<Record<string, ServiceLoad>>;
  /** fence.cfg, for the seeds that fence through devices as well as watchdogs (fence-schedule.ts). */
  readonly fence?: FenceConfig;
}

export function commandCount(plan: ChaosPlan): number {
  return plan.batches.reduce((sum, batch) => sum + batch.length, 0);
}
