import { assert } from './assert.ts';

/**
 * Timings of the HA stack. The safety of fencing rests on one relation: a node that stops renewing
 * its lease is reset by its watchdog before any other node may take that lease.
 */
export interface Timing {
  /** A lease not renewed for longer than this may be taken over. */
  readonly leaseTimeoutMs: number;
  /** The multiplexer stops feeding the device when a client is silent this long. */
  readonly watchdogClientTimeoutMs: number;
  /** The device resets the node this long after its last keepalive. */
  readonly watchdogDeviceTimeoutMs: number;
  /** Longest time one renewal may take before it counts as failed. */
  readonly renewalMaxMs: number;
  /** Allowance for clock-rate differences between nodes over one lease period. */
  readonly driftMarginMs: number;
  /** The master fences a node it has not seen for this long. */
  readonly fenceDelayMs: number;
  /** Minimum length of one daemon round. */
  readonly roundMs: number;
}

/** The figures of Proxmox's stack; the simulator's reference model uses the same. */
export const REFERENCE_TIMING: Timing = {
  leaseTimeoutMs: 120_000,
  watchdogClientTimeoutMs: 60_000,
  watchdogDeviceTimeoutMs: 10_000,
  renewalMaxMs: 10_000,
  driftMarginMs: 10_000,
  fenceDelayMs: 60_000,
  roundMs: 10_000,
};

/** The smallest lease timeout the other timings allow. */
export function minimumLeaseTimeoutMs(timing: Omit<Timing, 'leaseTimeoutMs'>): number {
  return timing.watchdogClientTimeoutMs + timing.watchdogDeviceTimeoutMs + timing.renewalMaxMs + timing.driftMarginMs;
}

/** Returns the reasons `timing` is unsafe; empty when it is safe. */
export function timingViolations(timing: Timing): string[] {
  const problems: string[] = [];
  const minimumMs = minimumLeaseTimeoutMs(timing);
  if (timing.leaseTimeoutMs <= minimumMs) {
    problems.push(
      `Lease timeout ${timing.leaseTimeoutMs} ms must exceed watchdog client timeout ${timing.watchdogClientTimeoutMs} ms` +
        ` + device timeout ${timing.watchdogDeviceTimeoutMs} ms + renewal ${timing.renewalMaxMs} ms` +
        ` + drift margin ${timing.driftMarginMs} ms = ${minimumMs} ms`,
    );
  }
  if (timing.roundMs >= timing.watchdogClientTimeoutMs) {
    problems.push(`Round ${timing.roundMs} ms must be shorter than the watchdog client timeout ${timing.watchdogClientTimeoutMs} ms`);
  }
  for (const [name, value] of Object.entries(timing)) {
    if (!Number.isInteger(value) || value <= 0) problems.push(`${name} must be a positive integer, got ${value}`);
  }
  return problems;
}

assert(timingViolations(REFERENCE_TIMING).length === 0, 'The reference timing must satisfy the lease rule');
