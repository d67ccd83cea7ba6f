import type { ManagerStatus } from '../common/manager-status.ts';
import type { HaConfig, Membership } from '../env/env.ts';
import { isWithoutWatchdog } from '../fence/fence-config.ts';
import { hasResources } from './has-resources.ts';

export interface ActivationInput {
  readonly nodeName: string;
  readonly membership: Membership;
  readonly managerStatus: ManagerStatus | undefined;
  readonly config: HaConfig;
  readonly hasCrmCommands: () => boolean;
}

/**
 * Whether this node's CRM may try to become (or stay eligible as) master: it must be in the quorate
 * partition, must not itself be waiting to be fenced, and there must be work — configured services,
 * or (with no live master elsewhere) a node left in maintenance by a shutdown, a queued command, stale
 * services in the saved status to clean up, or a disarm request (only a master can end it). A node
 * without a watchdog (`watchdog none` in fence.cfg) is never master: nothing would reset a master that
 * lost its lease while another took over.
 */
export function canBecomeActive(input: ActivationInput): boolean {
  const { nodeName, membership, managerStatus } = input;
  if (!membership.isQuorate || !membership.isMember(nodeName)) return false;
  if (isWithoutWatchdog(input.config.fence, nodeName)) return false;
  if (managerStatus && nodesWithFencedServices(managerStatus).has(nodeName)) return false;
  if (hasResources(input.config)) return true;
  const master = managerStatus?.masterNode;
  const nodeStatus = managerStatus?.nodeStatus ?? {};
  if (master !== undefined && nodeStatus[master] === 'online' && master !== nodeName) return false;
  if (managerStatus && (managerStatus.serviceStatus.size > 0 || managerStatus.disarm !== undefined)) return true;
  for (const [node, state] of Object.entries(nodeStatus)) {
    if (state === 'maintenance' && !managerStatus?.nodeRequest[node]?.maintenance) return true;
  }
  return input.hasCrmCommands();
}

/** Nodes that have a service waiting in `fence`, computed once per saved manager status. */
const fencedNodesCache = new WeakMap<ManagerStatus, ReadonlySet<string>>();

function nodesWithFencedServices(status: ManagerStatus): ReadonlySet<string> {
  let nodes = fencedNodesCache.get(status);
  if (!nodes) {
    const found = new Set<string>();
    status.serviceStatus.forEach((service) => {
      if (service.state === 'fence') found.add(service.node);
    });
    nodes = found;
    fencedNodesCache.set(status, nodes);
  }
  return nodes;
}
