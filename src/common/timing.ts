import { assert } from './assert.ts';

/**
 * Timings of the HA stack (DESIGN.md "Timing: one knob"). An operator sets one of them, the fence
 * timeout; `deriveTiming` computes the others from it, and `timingViolations` checks whatever
 * results — derived or set explicitly — against the rules that make fencing safe and failover quick.
 *
 * The safety rule: a node that stops renewing its agent lease is reset by its watchdog before any
 * other node may take that lease. Its last successful renewal started at r and returned by
 * r + renewal; it fed its watchdog client then; the multiplexer stops feeding the device once the
 * client timeout has passed, and the device resets the node at most its own timeout after its last
 * feed: reset ≤ r + renewal + client + device. A contender first saw that renewal at r or later and
 * takes the lease only after the fence timeout on its own clock, which may run fast by the drift
 * margin: take > r + fence timeout − drift. So client + device + renewal + drift < fence timeout.
 */
export interface Timing {
  /** The fence timeout (ha.cfg `fence_timeout`): a lease not renewed for longer than this may be taken over. */
  readonly leaseTimeoutMs: number;
  /** The multiplexer stops feeding the device when a client is silent this long. */
  readonly watchdogClientTimeoutMs: number;
  /** The device resets the node this long after its last keepalive; whole seconds. */
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

export type TimingField = keyof Timing;

/** The ha.cfg option of every timing; the lease timeout is the fence timeout, one value under one name. */
export const TIMING_OPTION_NAMES: Readonly<Record<TimingField, string>> = {
  leaseTimeoutMs: 'fence_timeout',
  watchdogClientTimeoutMs: 'watchdog_client_timeout',
  watchdogDeviceTimeoutMs: 'watchdog_device_timeout',
  renewalMaxMs: 'renewal_max',
  driftMarginMs: 'drift_margin',
  fenceDelayMs: 'fence_delay',
  roundMs: 'round',
};

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

/** What the name promises: a node cut off is reset, and its services run elsewhere, about a minute later. */
export const DEFAULT_FENCE_TIMEOUT_MS = 60_000;

/**
 * The LRM feeds its watchdog client once per round, right after renewing: a client timeout of at least
 * this many rounds lets three rounds in a row run late (a loaded host, a slow store) without a reset.
 * This is what "the round well below the client timeout" means.
 */
export const CLIENT_TIMEOUT_ROUNDS_MIN = 4;

/**
 * Over a shared directory another node counts as a member while its LRM status changed within this
 * many rounds (src/env/node-membership.ts): one slow round under load does not make a node unknown.
 */
export const MEMBERSHIP_SILENCE_ROUNDS = 3;

/**
 * Between a node's last LRM status and the master putting it in `fence` there are, beyond the silence
 * and the fence delay, the round the master sees the last change late and the round it decides in.
 */
const FENCE_DECISION_ROUNDS = 2;

/** Rounds shorter than a second only cost CPU: on a loaded host the daemons' work stretches them anyway. */
const DERIVED_ROUND_MS_MIN = 1000;
/** Watchdog devices count in whole seconds; one second is the shortest most of them accept. */
const DEVICE_TIMEOUT_MS_MIN = 1000;
/** A longer device timeout only takes time from the client timeout: ten seconds covers a descheduled multiplexer. */
const DEVICE_TIMEOUT_MS_MAX = 10_000;
/**
 * Kept free under the fence timeout by the derived client timeout (not part of the rule): a device
 * that counts in whole seconds may fire up to a second after its nominal timeout.
 */
const WATCHDOG_SLACK_MS = 1000;

/** The timings an operator may set besides the fence timeout. */
export type TimingOverrides = Partial<Omit<Timing, 'leaseTimeoutMs'>>;

/**
 * The timings of a fence timeout F (integer milliseconds); a value in `overrides` replaces the derived
 * one, and the timings derived after it use it. The result is not checked here: see `timingViolations`.
 *
 * - round = max(1 s, F/20): a failover takes F plus three rounds (src/cluster/cluster-config.ts
 *   failoverBoundMs), so rounds of F/20 keep it within F + 15 %;
 * - device timeout = ceil(F/6) in whole seconds, between 1 s and 10 s;
 * - renewal_max = F/12, rounded down: a renewal slower than that fails and the holder stops feeding;
 * - drift_margin = F/20, rounded up: 5 % of clock-rate difference, the chaos swarm's drift bound;
 * - fence_delay = F/2, but at most F − (silence + 3) rounds, so that a lost node is in `fence` a round
 *   before its lease may be taken (at least one round);
 * - client timeout = the largest whole second with client + device + renewal + drift < F − 1 s.
 */
export function deriveTiming(fenceTimeoutMs: number, overrides: TimingOverrides = {}): Timing {
  assert(Number.isSafeInteger(fenceTimeoutMs) && fenceTimeoutMs > 0, `Fence timeout must be a positive integer of ms, got ${fenceTimeoutMs}`);
  const roundMs = overrides.roundMs ?? Math.max(DERIVED_ROUND_MS_MIN, Math.floor(fenceTimeoutMs / 20));
  const deviceSeconds = Math.ceil(fenceTimeoutMs / 6000);
  const watchdogDeviceTimeoutMs = overrides.watchdogDeviceTimeoutMs ?? Math.min(DEVICE_TIMEOUT_MS_MAX, Math.max(DEVICE_TIMEOUT_MS_MIN, deviceSeconds * 1000));
  const renewalMaxMs = overrides.renewalMaxMs ?? Math.floor(fenceTimeoutMs / 12);
  const driftMarginMs = overrides.driftMarginMs ?? Math.ceil(fenceTimeoutMs / 20);
  const fenceDelayLimitMs = fenceTimeoutMs - (MEMBERSHIP_SILENCE_ROUNDS + FENCE_DECISION_ROUNDS + 1) * roundMs;
  const fenceDelayMs = overrides.fenceDelayMs ?? Math.max(roundMs, Math.min(Math.floor(fenceTimeoutMs / 2), fenceDelayLimitMs));
  const clientRoomMs = fenceTimeoutMs - WATCHDOG_SLACK_MS - watchdogDeviceTimeoutMs - renewalMaxMs - driftMarginMs;
  const watchdogClientTimeoutMs = overrides.watchdogClientTimeoutMs ?? Math.max(1000, (Math.ceil(clientRoomMs / 1000) - 1) * 1000);
  return { leaseTimeoutMs: fenceTimeoutMs, watchdogClientTimeoutMs, watchdogDeviceTimeoutMs, renewalMaxMs, driftMarginMs, fenceDelayMs, roundMs };
}

/** The timings of an ha.cfg that sets nothing: everything derived from the default fence timeout. */
export const DEFAULT_TIMING: Timing = deriveTiming(DEFAULT_FENCE_TIMEOUT_MS);

/** How long another node's LRM status may stay unchanged before this node stops counting it as a member. */
export function membershipSilenceMs(timing: Timing): number {
  return MEMBERSHIP_SILENCE_ROUNDS * timing.roundMs;
}

/** The smallest lease timeout the other timings allow (the lease must outlast this strictly). */
export function minimumLeaseTimeoutMs(timing: Omit<Timing, 'leaseTimeoutMs'>): number {
  return timing.watchdogClientTimeoutMs + timing.watchdogDeviceTimeoutMs + timing.renewalMaxMs + timing.driftMarginMs;
}

/** One broken rule: the timings it is about (so a config error can point at the line that set one) and why. */
export interface TimingViolation {
  readonly fields: readonly TimingField[];
  readonly message: string;
}

/** `60 s` for whole seconds, `833 ms` otherwise. */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function named(timing: Timing, field: TimingField): string {
  return `${TIMING_OPTION_NAMES[field]} ${formatDuration(timing[field])}`;
}

/** The rules `timing` breaks; empty when it is safe. Messages use the ha.cfg option names and the numbers. */
export function timingViolations(timing: Timing): TimingViolation[] {
  const problems: TimingViolation[] = [];
  for (const field of Object.keys(TIMING_OPTION_NAMES) as TimingField[]) {
    const value = timing[field];
    if (!Number.isSafeInteger(value) || value <= 0) problems.push({ fields: [field], message: `${TIMING_OPTION_NAMES[field]} must be a positive whole number of ms, got ${value}` });
  }
  if (problems.length > 0) return problems;
  if (timing.watchdogDeviceTimeoutMs % 1000 !== 0) {
    problems.push({ fields: ['watchdogDeviceTimeoutMs'], message: `${named(timing, 'watchdogDeviceTimeoutMs')} must be whole seconds (watchdog devices count in seconds)` });
  }
  const minimumMs = minimumLeaseTimeoutMs(timing);
  if (timing.leaseTimeoutMs <= minimumMs) {
    const terms = (['watchdogClientTimeoutMs', 'watchdogDeviceTimeoutMs', 'renewalMaxMs', 'driftMarginMs'] as const).map((field) => named(timing, field));
    problems.push({
      fields: ['leaseTimeoutMs', 'watchdogClientTimeoutMs', 'watchdogDeviceTimeoutMs', 'renewalMaxMs', 'driftMarginMs'],
      message: `${named(timing, 'leaseTimeoutMs')} must exceed ${terms.join(' + ')} = ${formatDuration(minimumMs)} (a node must be reset before its lease may be taken)`,
    });
  }
  if (timing.watchdogClientTimeoutMs < CLIENT_TIMEOUT_ROUNDS_MIN * timing.roundMs) {
    problems.push({
      fields: ['watchdogClientTimeoutMs', 'roundMs'],
      message: `${named(timing, 'watchdogClientTimeoutMs')} must span at least ${CLIENT_TIMEOUT_ROUNDS_MIN} rounds: ${CLIENT_TIMEOUT_ROUNDS_MIN} × ${named(timing, 'roundMs')} = ${formatDuration(CLIENT_TIMEOUT_ROUNDS_MIN * timing.roundMs)}`,
    });
  }
  const rounds = MEMBERSHIP_SILENCE_ROUNDS + FENCE_DECISION_ROUNDS;
  const beforeFenceMs = timing.fenceDelayMs + rounds * timing.roundMs;
  if (beforeFenceMs >= timing.leaseTimeoutMs) {
    problems.push({
      fields: ['fenceDelayMs', 'roundMs', 'leaseTimeoutMs'],
      message: `${named(timing, 'fenceDelayMs')} + ${rounds} × ${named(timing, 'roundMs')} = ${formatDuration(beforeFenceMs)} must be below ${named(timing, 'leaseTimeoutMs')} (a lost node must be in fence before its lease may be taken)`,
    });
  }
  return problems;
}

assert(timingViolations(REFERENCE_TIMING).length === 0, 'The reference timing must satisfy the timing rules');
assert(timingViolations(DEFAULT_TIMING).length === 0, 'The default timing must satisfy the timing rules');
