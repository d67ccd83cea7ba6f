import type { ServiceStatus } from '../common/manager-status.ts';
import type { ServiceTable } from '../common/service-table.ts';

/** The services the master assigned to one node, as [sid, status] pairs. */
export type OwnServices = ReadonlyArray<readonly [string, ServiceStatus]>;

const NO_SERVICES: OwnServices = Object.freeze([]);

/**
 * The services of every node in one saved service status, grouped once per status: the LRMs of a
 * simulated cluster all read the same saved object, and each would otherwise walk every service.
 */
const servicesByNode = new WeakMap<ServiceTable, ReadonlyMap<string, OwnServices>>();

export function servicesOf(node: string, services: ServiceTable): OwnServices {
  let byNode = servicesByNode.get(services);
  if (!byNode) {
    const grouped = new Map<string, Array<readonly [string, ServiceStatus]>>();
    services.forEach((service, sid) => {
      const own = grouped.get(service.node);
      if (own) own.push([sid, service]);
      else grouped.set(service.node, [[sid, service]]);
    });
    byNode = grouped;
    servicesByNode.set(services, byNode);
  }
  return byNode.get(node) ?? NO_SERVICES;
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
