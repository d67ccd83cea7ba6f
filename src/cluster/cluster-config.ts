import { REFERENCE_TIMING, timingViolations, type Timing } from '../common/timing.ts';
import type { ShutdownPolicy } from '../common/states.ts';
import { TIMING_OPTIONS } from '../config/settings.ts';

/**
 * The fast timing profile of the demo and the end-to-end tests: rounds of 1 s, a watchdog client
 * timeout of 5 s, an (emulated) device timeout of 2 s. The lease timeout is the smallest the timing
 * rule accepts (src/common/timing.ts): 5 + 2 + 1 + 1 = 9 s, plus 1 s.
 */
export const FAST_TIMING: Timing = {
  leaseTimeoutMs: 10_000,
  watchdogClientTimeoutMs: 5_000,
  watchdogDeviceTimeoutMs: 2_000,
  renewalMaxMs: 1_000,
  driftMarginMs: 1_000,
  fenceDelayMs: 3_000,
  roundMs: 1_000,
};

export const TIMING_PROFILES = { fast: FAST_TIMING, reference: REFERENCE_TIMING } as const;
export type TimingProfileName = keyof typeof TIMING_PROFILES;

export interface ClusterResource {
  readonly sid: string;
  readonly node: string;
  readonly state?: 'started' | 'stopped' | 'disabled';
}

/** ha.cfg text with every timing of `timing` and the shutdown policy; refuses timings the rule rejects. */
export function haCfgText(timing: Timing, shutdownPolicy: ShutdownPolicy): string {
  const violations = timingViolations(timing);
  if (violations.length > 0) throw new Error(`Timing profile refused: ${violations.join('; ')}`);
  const lines = ['# written by the local cluster launcher (src/cluster)', 'ha: cluster'];
  for (const [option, field] of Object.entries(TIMING_OPTIONS)) lines.push(`\t${option} ${timing[field]}ms`);
  lines.push(`\tshutdown_policy ${shutdownPolicy}`);
  return `${lines.join('\n')}\n`;
}

export function resourcesCfgText(resources: readonly ClusterResource[]): string {
  const sections = resources.map((resource) => {
    const colon = resource.sid.indexOf(':');
    return `${resource.sid.slice(0, colon)}: ${resource.sid.slice(colon + 1)}\n\tnode ${resource.node}\n\tstate ${resource.state ?? 'started'}\n`;
  });
  return sections.join('\n');
}

/**
 * The longest a failover may take with `timing` on this launcher's cluster: the lost node is fenced
 * once the master has seen its agent lease unchanged for the lease timeout (it looks every round from
 * the moment the node stopped renewing: + 1 round), or once the node has been silent for three rounds
 * plus the fence delay, whichever is later; then one master round to recover, one LRM round to start.
 */
export function failoverBoundMs(timing: Timing): number {
  const fencedMs = Math.max(timing.leaseTimeoutMs + timing.roundMs, 3 * timing.roundMs + timing.fenceDelayMs);
  return fencedMs + 3 * timing.roundMs;
}
