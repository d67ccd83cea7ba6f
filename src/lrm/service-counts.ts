import type { ServiceStatus } from '../common/manager-status.ts';
import type { LrmEnv } from '../env/env.ts';

/** Services on `node` that need it to stay protected: anything not stopped, frozen, in error or about to start. */
export function activeServiceCount(node: string, services: Readonly<Record<string, ServiceStatus>>): number {
  let count = 0;
  for (const sid in services) {
    const service = services[sid]!;
    if (service.node !== node) continue;
    const state = service.state;
    if (state === 'stopped' || state === 'freeze' || state === 'error' || state === 'request_start') continue;
    count++;
  }
  return count;
}

export function hasAnyService(node: string, services: Readonly<Record<string, ServiceStatus>>): boolean {
  for (const sid in services) if (services[sid]!.node === node) return true;
  return false;
}

/** The master wants this node fenced: it marked the node, or one of its services, for fencing. */
export function hasFenceRequest(env: LrmEnv, services: Readonly<Record<string, ServiceStatus>>): boolean {
  if (env.readManagerStatus()?.nodeStatus[env.nodeName] === 'fence') return true;
  for (const sid in services) {
    const service = services[sid]!;
    if (service.state === 'fence' && service.node === env.nodeName) return true;
  }
  return false;
}
