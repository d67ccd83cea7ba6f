import { managerStatusToJson } from '../common/manager-status-json.ts';
import { buildStatusReport, type StatusReport } from '../cli/status-report.ts';
import type { FencedRecord } from '../cli/status-files.ts';
import type { LeaseView } from '../store/lease-view.ts';
import type { SimCluster } from '../sim/sim-cluster.ts';
import { agentLeaseName, MANAGER_LEASE, type LeaseVersion } from '../sim/sim-store.ts';

/**
 * The simulated cluster's `status`: its manager status, LRM statuses, leases and queued CRM commands
 * handed to the very function that reports a shared directory's (buildStatusReport), with the
 * simulated time as the clock. Virtual milliseconds since the run started stand for wall time.
 */
export function simStatusReport(cluster: SimCluster, context: { leaseTimeoutMs: number; fenced: ReadonlyMap<string, FencedRecord> }): StatusReport {
  const nowMs = cluster.timeMs;
  const manager = cluster.managerStatus;
  return buildStatusReport({
    wallMs: nowMs,
    config: cluster.config,
    // hardware_status lists the cluster's nodes, as ha.cfg's node sections do.
    declaredNodes: cluster.nodeNames,
    configError: undefined,
    leaseTimeoutMs: context.leaseTimeoutMs,
    manager: manager === undefined ? undefined : { status: manager, raw: managerStatusToJson(manager) },
    lrmStatuses: cluster.lrmStatus,
    leases: simLeases(cluster),
    fenced: context.fenced,
    queued: cluster.commandQueue.all().map((entry) => ({ line: entry.line, queuedWallMs: entry.queuedMs })),
  });
}

/** The simulated store's leases under the dir store's names (`manager`, `agent.<node>`). */
function simLeases(cluster: SimCluster): Map<string, LeaseView> {
  const leases = new Map<string, LeaseView>();
  const add = (name: string, version: LeaseVersion | undefined) => {
    if (version === undefined) return;
    leases.set(name, {
      name,
      generation: version.generation,
      // The simulated store keeps the last write of a generation, not when it was taken.
      holder: { node: version.takenBy, takenWallMs: version.writtenMs },
      heartbeat: { counter: 0, node: version.takenBy, wallMs: version.writtenMs },
      isReleased: version.holder === undefined,
    });
  };
  add('manager', cluster.leases.latest(MANAGER_LEASE));
  for (const node of cluster.nodeNames) add(`agent.${node}`, cluster.leases.latest(agentLeaseName(node)));
  return leases;
}
