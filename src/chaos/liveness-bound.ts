import type { Timing } from '../common/timing.ts';
import { CHAOS_DRIFT_PERMILLE_MAX } from './fault-events.ts';

/** Steps a service may still take once every lease wait is over: start, move, restart, relocate, unfreeze. */
const SETTLE_ROUNDS = 6;
/** The chaos runs' round: 20 s (at most 29 nodes, 1 s per iteration, nodes in name order). */
const ROUND_MS = 20_000;

/**
 * How long after the last `heal` a service requested `started` may take to run (or to reach
 * `error`), derived from the timings rather than measured:
 *
 * - After the last heal nothing is cut, paused, crashed or slow, and every node is powered. The heals
 *   run three times a slot (100 s) apart: a node whose watchdog was still armed without a lease at
 *   the first heal is reset within the watchdog timeout (60 s) and powered on again by a later heal;
 *   a freshly booted node has no armed watchdog until it takes its lease, so no reset follows the
 *   last heal.
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
 * bound slow. So: 2 × (lease timeout × (1 + drift) + round) + 1 round + SETTLE_ROUNDS rounds.
 */
export function livenessBoundMs(timing: Timing): number {
  const leaseWaitMs = Math.ceil((timing.leaseTimeoutMs * (1000 + CHAOS_DRIFT_PERMILLE_MAX)) / 1000);
  return 2 * (leaseWaitMs + ROUND_MS) + ROUND_MS + SETTLE_ROUNDS * ROUND_MS;
}
