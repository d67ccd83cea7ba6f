import type { LrmStatus, NodeLoadStats, ServiceLoad } from '../common/lrm-status.ts';
import type { SimCluster } from './sim-cluster.ts';

/**
 * What a simulated node measures for the dynamic scheduler (README-5.2 §3, §7.3): its capacity and,
 * for each service in its running set, the service's `dynamic_service_stats` entry (none: nothing
 * measured for it). The simulated LRM publishes this like a real one publishes its measurement.
 */
export function measureSimNode(cluster: SimCluster, node: string): NodeLoadStats {
  const cached = cluster.measured.get(node);
  if (cached?.version === cluster.loadsVersion) return cached.stats;
  const capacity = cluster.measuredCapacities[node]!;
  const services = new Map<string, ServiceLoad>();
  // In the order the services started there: any fixed order will do, the reference's sums run in hash order.
  for (const sid of cluster.running.get(node) ?? []) {
    const load = cluster.dynamicLoads[sid];
    if (load !== undefined) services.set(sid, load);
  }
  const stats = { maxCpu: capacity.cpus, maxMemBytes: capacity.memoryBytes, services };
  cluster.measured.set(node, { version: cluster.loadsVersion, stats });
  return stats;
}

/**
 * An LRM status as the simulated master reads it: with the node measured at the moment of reading.
 * The reference simulator's master reads the simulated hardware directly in each manage pass; a real
 * master reads what the LRM last published (at most one LRM round old). The decision code is the
 * same; only how fresh the figures are differs, and the reference scenarios time their stats
 * changes to the pass.
 */
export function withFreshMeasurement(cluster: SimCluster, node: string, status: LrmStatus | undefined): LrmStatus | undefined {
  if (status === undefined || status.stats === undefined) return status;
  return { ...status, stats: measureSimNode(cluster, node) };
}
