import { DEFAULT_TIMING, deriveTiming, REFERENCE_TIMING, timingViolations, type Timing } from '../common/timing.ts';
import type { ShutdownPolicy } from '../common/states.ts';
import { timingOptionLines } from '../config/settings.ts';

/** The fence timeout of the fast profile: a failover in about a quarter of a minute, for the demo and the tests. */
export const FAST_FENCE_TIMEOUT_MS = 10_000;

/**
 * The fast timing profile of the demo and the end-to-end tests: everything derived from a fence
 * timeout of 10 s by the same function as any ha.cfg (src/common/timing.ts deriveTiming).
 */
export const FAST_TIMING: Timing = deriveTiming(FAST_FENCE_TIMEOUT_MS);

/** fast: the demo and tests; default: an ha.cfg that sets nothing; reference: Proxmox's figures. */
export const TIMING_PROFILES = { fast: FAST_TIMING, default: DEFAULT_TIMING, reference: REFERENCE_TIMING } as const;
export type TimingProfileName = keyof typeof TIMING_PROFILES;

/** How a demo cluster is fenced: by the watchdog and the lease only, or also through an emulated BMC per node. */
export const FENCING_MODES = ['watchdog', 'ipmi'] as const;
export type FencingMode = (typeof FENCING_MODES)[number];

/**
 * The round of a cluster fenced through fence devices (`demo --fencing ipmi`, the fencing benchmark):
 * a failover through a device takes about seven rounds plus the agent's own ~3 s (docs/fencing.md
 * "Timing with fence devices"), so 1 s rounds keep it near 10 s. A shorter round only costs CPU (the
 * fast profile runs 1 s rounds on the same 2-core machines); the fence timeout, and so the watchdog
 * path beside the device, stays the profile's.
 */
export const FENCING_ROUND_MS = 1_000;

/** `timing` with rounds of at most FENCING_ROUND_MS; the timing rules still hold (haCfgText checks). */
export function fencingTiming(timing: Timing): Timing {
  return { ...timing, roundMs: Math.min(timing.roundMs, FENCING_ROUND_MS) };
}

export function isTimingProfileName(name: string): name is TimingProfileName {
  return Object.hasOwn(TIMING_PROFILES, name);
}

export interface ClusterResource {
  readonly sid: string;
  readonly node: string;
  readonly state?: 'started' | 'stopped' | 'disabled';
}

/**
 * ha.cfg text for `timing`: its fence_timeout, plus only the timings that differ from what
 * fence_timeout derives, the shutdown policy, and a `node:` section for each of `nodes` (the daemons
 * of an undeclared node refuse to start); refuses timings the rules reject.
 */
export function haCfgText(timing: Timing, shutdownPolicy: ShutdownPolicy, nodes: readonly string[]): string {
  const violations = timingViolations(timing);
  if (violations.length > 0) throw new Error(`Timing profile refused: ${violations.map((violation) => violation.message).join('; ')}`);
  const lines = ['# written by the local cluster launcher (src/cluster)', 'ha: cluster', ...timingOptionLines(timing)];
  lines.push(`\tshutdown_policy ${shutdownPolicy}`);
  for (const node of nodes) lines.push('', `node: ${node}`);
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
 * A `sim` service process (src/resources/sim-service.ts, a Node process) is up and has written its
 * ledger line within this long of its LRM's round on a loaded 2-core host (it takes well under a
 * second when the host is quiet).
 */
export const SERVICE_START_MS_MAX = 2_000;

/**
 * The longest a failover — a node cut off from the shared storage, until its service runs on another
 * node as the ledger records it — may take with `timing` on this launcher's cluster (F = fence
 * timeout, R = round; daemons of one host share one clock, so no drift):
 * - the cut node's last successful renewal is at or before the cut (time 0);
 * - every CRM, master or slave, looks at every agent lease once a round (src/env/node-crm-env.ts
 *   observeAgentLeases), so the master first sees that last heartbeat at most one round late: ≤ R;
 * - it may take the lease once it has seen it unchanged for F on its own clock. The node is in `fence`
 *   by then (the timing rules keep fence delay + silence + 2 rounds below F: src/common/timing.ts), and
 *   a master in that state tries once a round, so the fence is acknowledged ≤ one master round after
 *   the expiry: ≤ R + F + R;
 * - the recovery happens in that same manager pass, which saves the manager status at its end;
 * - the target node's LRM reads it and starts the service in its next round: + R;
 * - the service process starts and records itself in the ledger: + SERVICE_START_MS_MAX.
 */
export function failoverBoundMs(timing: Timing): number {
  const observedLateMs = timing.roundMs;
  const fenceAckMs = timing.leaseTimeoutMs + timing.roundMs;
  const targetLrmMs = timing.roundMs;
  return observedLateMs + fenceAckMs + targetLrmMs + SERVICE_START_MS_MAX;
}
