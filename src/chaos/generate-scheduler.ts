import { REBALANCE_METHODS, DEFAULT_AUTO_REBALANCE, type ClusterSettings } from '../common/ha-config.ts';
import type { ServiceLoad } from '../common/lrm-status.ts';
import type { Prng } from '../common/prng.ts';

const MIB = 1024 * 1024;

/**
 * The scheduler of a chaos plan: a third of the seeds place dynamically with automatic rebalancing
 * (a low threshold, so that it moves services often, at random moments relative to the faults), each
 * service with a random load; the rest count services. (Static placement needs node capacities,
 * which plans do not carry; the dynamic scheduler runs the same scoring.)
 */
export function generateScheduler(prng: Prng, sids: readonly string[]): { settings: Partial<ClusterSettings>; loads?: Record<string, ServiceLoad> } {
  const draw = prng.int(6);
  if (draw >= 2) return { settings: {} };
  const placement = 'dynamic';
  const autoRebalance = {
    ...DEFAULT_AUTO_REBALANCE,
    isEnabled: true,
    threshold: 0.05 + prng.int(4) * 0.05,
    holdRounds: prng.int(4),
    method: REBALANCE_METHODS[prng.int(REBALANCE_METHODS.length)]!,
  };
  const settings: Partial<ClusterSettings> = { placement, autoRebalance, rebalanceOnStart: prng.int(2) === 1 };
  const loads = Object.fromEntries(sids.map((sid) => [sid, { cpu: (1 + prng.int(40)) / 10, memBytes: (256 + prng.int(8) * 512) * MIB }]));
  return { settings, loads };
}

/** The datacenter.cfg `crs` block of a plan's settings (write-scenario.ts), as the scenario reader reads it back. */
export function crsOf(settings: ClusterSettings): { crs?: Record<string, unknown> } {
  if (settings.placement === 'basic' && !settings.rebalanceOnStart) return {};
  const auto = settings.autoRebalance;
  return {
    crs: {
      ha: settings.placement,
      'ha-rebalance-on-start': settings.rebalanceOnStart ? 1 : 0,
      'ha-auto-rebalance': auto.isEnabled ? 1 : 0,
      'ha-auto-rebalance-threshold': auto.threshold,
      'ha-auto-rebalance-method': auto.method,
      'ha-auto-rebalance-hold-duration': auto.holdRounds,
      'ha-auto-rebalance-margin': auto.margin,
    },
  };
}
