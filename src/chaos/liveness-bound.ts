import type { Timing } from '../common/timing.ts';
import { LRM_IDLE_ROUNDS_MAX } from '../lrm/lrm-daemon.ts';
import { COMMAND_SLOT_MS_MIN, iterationMsFor, roundMsFor } from '../sim/simulator.ts';
import type { TimingLimits } from './invariants.ts';
import { CHAOS_DRIFT_PERMILLE_MAX } from './fault-events.ts';

/** Steps a service may still take once every lease wait is over: start, move, restart, relocate, unfreeze. */
const SETTLE_ROUNDS = 6;

/**
 * How long after the last `heal` a service requested `started` may take to run (or to reach
 * `error`), derived from the timings of the run rather than measured (R = the simulator's round for
 * this timing and cluster size: 20 s with Proxmox's timings, `round` otherwise):
 *
 * - After the last heal nothing is cut, paused, crashed or slow, and every node is powered. The heals
 *   run three times a slot (at least 100 s) apart: a node whose watchdog was still armed without a
 *   lease at the first heal is reset within the watchdog client timeout (below a slot: checked here)
 *   and powered on again by a later heal; a freshly booted node has no armed watchdog until it takes
 *   its lease, so no reset follows the last heal.
 * - The manager lease of a master that died is free one lease timeout after its last renewal (before
 *   the last heal), and the next CRM iteration takes it: ≤ lease timeout + 1 round.
 * - A node whose services wait in `fence` is fenced when its agent lease is one lease timeout old; its
 *   LRM stopped renewing at the latest one round after it saw the fence request: this runs in parallel
 *   with the manager takeover, so fence acknowledgement and recovery come ≤ lease timeout + 2 rounds
 *   after the heal.
 * - The recovery target may itself be a node the master has just fenced (it holds that node's agent
 *   lease, never renews it): that node's LRM gets its lease back one lease timeout later: + lease
 *   timeout + 1 round.
 * - Then at most SETTLE_ROUNDS rounds of ordinary steps (start, restart policy, relocation after a
 *   failed start, migration back from a maintenance node, unfreeze).
 *
 * Each lease timeout is measured on the waiting node's clock, which may run up to the chaos drift
 * bound slow. So: 2 × (lease timeout × (1 + drift) + R) + R + SETTLE_ROUNDS × R.
 */
export function livenessBoundMs(timing: Timing, nodeCount: number): number {
  if (timing.watchdogClientTimeoutMs >= COMMAND_SLOT_MS_MIN) {
    throw new Error(`Chaos heals run ${COMMAND_SLOT_MS_MIN} ms apart: a watchdog client timeout of ${timing.watchdogClientTimeoutMs} ms may reset a node after the last one`);
  }
  const roundMs = roundMsFor(nodeCount, timing);
  const leaseWaitMs = Math.ceil((timing.leaseTimeoutMs * (1000 + CHAOS_DRIFT_PERMILLE_MAX)) / 1000);
  return 2 * (leaseWaitMs + roundMs) + roundMs + SETTLE_ROUNDS * roundMs;
}

/**
 * The checker's limits that follow the timings: an LRM with no service stays armed for at most its idle
 * limit of rounds (then it releases its lease and disarms); cut off before that, its registration runs
 * out a client timeout after its last feed and the device resets the node its own timeout later, i.e.
 * that many rounds more (+ the round that fed and the one that saw the reset). Proxmox's timings:
 * 60 + 4 + 2.
 */
export function timingLimits(timing: Timing, nodeCount: number): TimingLimits {
  const roundMs = roundMsFor(nodeCount, timing);
  return {
    // Idle up to its limit, then the lease lost just before it could leave: the registration runs out
    // (client timeout) and the device resets the node its own timeout later.
    armedIdleIterationsMax: LRM_IDLE_ROUNDS_MAX + Math.ceil((timing.watchdogClientTimeoutMs + timing.watchdogDeviceTimeoutMs) / roundMs) + 2,
    iterationMs: iterationMsFor(nodeCount, timing),
  };
}
