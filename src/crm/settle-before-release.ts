import type { ServiceStatus } from '../common/manager-status.ts';
import type { ServiceState } from '../common/states.ts';

/** States in which a service is on its way to another node: the master must see where it ends up. */
const MOVING_STATES: ReadonlySet<ServiceState> = new Set(['migrate', 'relocate', 'request_start_balance']);

/**
 * Whether the master must keep a service that leaves HA (`ignored`, or deleted) a little longer: a
 * move in flight, or a fence or recovery of one that may have reached its target, has to end first,
 * so that the master can record where the service is before it lets go (a service set `started`
 * again is put under HA on its recorded node).
 */
export function mustSettleBeforeRelease(status: ServiceStatus): boolean {
  return MOVING_STATES.has(status.state) || ((status.state === 'fence' || status.state === 'recovery') && status.target !== undefined);
}
