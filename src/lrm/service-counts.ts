import type { ServiceStatus } from '../common/manager-status.ts';

/** The services the master assigned to one node, as [sid, status] pairs. */
export type OwnServices = ReadonlyArray<readonly [string, ServiceStatus]>;

export function servicesOf(node: string, services: ReadonlyMap<string, ServiceStatus>): OwnServices {
  const own: Array<readonly [string, ServiceStatus]> = [];
  for (const [sid, service] of services) if (service.node === node) own.push([sid, service]);
  return own;
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
