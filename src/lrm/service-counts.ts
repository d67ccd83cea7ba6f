import type { ServiceStatus } from '../common/manager-status.ts';
import type { ServiceTable } from '../common/service-table.ts';

/** The services the master assigned to one node, as [sid, status] pairs. */
export type OwnServices = ReadonlyArray<readonly [string, ServiceStatus]>;

const NO_SERVICES: OwnServices = Object.freeze([]);

/** The services of one node in one saved service status: assigned to it, and moving towards it. */
interface NodeServices {
  readonly own: Array<readonly [string, ServiceStatus]>;
  readonly incoming: Array<readonly [string, ServiceStatus]>;
}

/**
 * The services of every node in one saved service status, grouped once per status: the LRMs of a
 * simulated cluster all read the same saved object, and each would otherwise walk every service.
 */
const servicesByNode = new WeakMap<ServiceTable, ReadonlyMap<string, NodeServices>>();

function groupedByNode(services: ServiceTable): ReadonlyMap<string, NodeServices> {
  let byNode = servicesByNode.get(services);
  if (!byNode) {
    const grouped = new Map<string, NodeServices>();
    const of = (node: string) => {
      let entry = grouped.get(node);
      if (!entry) grouped.set(node, (entry = { own: [], incoming: [] }));
      return entry;
    };
    services.forEach((service, sid) => {
      of(service.node).own.push([sid, service]);
      if (service.target !== undefined && service.target !== service.node) of(service.target).incoming.push([sid, service]);
    });
    byNode = grouped;
    servicesByNode.set(services, byNode);
  }
  return byNode;
}

export function servicesOf(node: string, services: ServiceTable): OwnServices {
  return groupedByNode(services).get(node)?.own ?? NO_SERVICES;
}

/** Services on another node whose move (migrate, relocate, balance) targets this one. */
export function incomingServicesOf(node: string, services: ServiceTable): OwnServices {
  return groupedByNode(services).get(node)?.incoming ?? NO_SERVICES;
}

/** Services that need the node to stay protected: anything not stopped, frozen, in error or about to start. */
export function activeServiceCount(own: OwnServices): number {
  let count = 0;
  for (const [, service] of own) {
    const state = service.state;
    if (state === 'stopped' || state === 'freeze' || state === 'error' || state === 'request_start') continue;
    count++;
  }
  return count;
}

/** The master wants this node fenced: it marked the node, or one of its services, for fencing. */
export function hasFenceRequest(nodeState: string | undefined, own: OwnServices): boolean {
  if (nodeState === 'fence') return true;
  return own.some(([, service]) => service.state === 'fence');
}
