import type { LrmMode, ShutdownPolicy } from '../common/states.ts';
import type { ShutdownKind } from './lrm-local.ts';

/**
 * The LRM mode a shutdown request puts the node in, by cluster shutdown policy:
 * `restart` freezes services in place, `shutdown` stops them so the master recovers them once the node
 * is gone, `maintenance` has the master move them away first.
 */
export const SHUTDOWN_MODES: Record<ShutdownPolicy, Record<Exclude<ShutdownKind, 'restart'>, LrmMode>> = {
  conditional: { shutdown: 'shutdown', reboot: 'restart' },
  freeze: { shutdown: 'restart', reboot: 'restart' },
  failover: { shutdown: 'shutdown', reboot: 'shutdown' },
  migrate: { shutdown: 'maintenance', reboot: 'maintenance' },
};

export function modeForShutdown(kind: ShutdownKind, policy: ShutdownPolicy): LrmMode {
  return kind === 'restart' ? 'restart' : SHUTDOWN_MODES[policy][kind];
}
