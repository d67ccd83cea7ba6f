/**
 * The simulator's rounds: what a daemon iteration costs in virtual time, how long a round lasts, and
 * how often a scenario's command batches run, for Proxmox's timings and for a timing of its own.
 */
import { REFERENCE_TIMING, type Timing } from '../common/timing.ts';

/** Every CRM or LRM iteration costs one simulated second, whatever it does (up to 29 nodes). */
export const ITERATION_MS = 1000;
/**
 * The reference model refuses 30 or more nodes: a round of 2 s per node would outlast the 60 s
 * watchdog. From 30 nodes on, an iteration costs less, so that a round stays within 20 s.
 */
export const REFERENCE_NODES_MAX = 29;
const LARGE_CLUSTER_ROUND_MS = 20_000;

/**
 * Proxmox's timings run the reference model's rounds (conformance README §4: 1 s per iteration,
 * rounds of max(20 s, 2 s per node)), which the reference scenarios' expectations encode. Any other
 * timing runs the daemons' round, `timing.roundMs`, shared by the nodes' daemons in turn.
 */
export function isReferenceTiming(timing: Timing): boolean {
  return (Object.keys(REFERENCE_TIMING) as Array<keyof Timing>).every((field) => timing[field] === REFERENCE_TIMING[field]);
}

/** What one CRM or LRM iteration costs: with a timing of its own, a round's share, at most 1 s. */
export function iterationMsFor(nodeCount: number, timing: Timing = REFERENCE_TIMING): number {
  if (!isReferenceTiming(timing)) return Math.max(1, Math.min(ITERATION_MS, Math.floor(timing.roundMs / (2 * nodeCount))));
  return nodeCount <= REFERENCE_NODES_MAX ? ITERATION_MS : Math.floor(LARGE_CLUSTER_ROUND_MS / (2 * nodeCount));
}

/** The shortest a round lasts (the iterations of every node fit in it). */
export function roundMsFor(nodeCount: number, timing: Timing = REFERENCE_TIMING): number {
  if (!isReferenceTiming(timing)) return Math.max(timing.roundMs, 2 * nodeCount * iterationMsFor(nodeCount, timing));
  return nodeCount <= REFERENCE_NODES_MAX ? Math.max(20, 2 * nodeCount) * 1000 : LARGE_CLUSTER_ROUND_MS;
}

/**
 * Batches run every fifth round in the reference model: 100 s with up to ten nodes. With a timing of
 * its own a run keeps batches at least that far apart, so a scenario's commands mean the same
 * stretch of time whatever the round.
 */
export const COMMAND_SLOT_MS_MIN = 100_000;
const REFERENCE_ROUNDS_PER_COMMAND_SLOT = 5;

export function roundsPerCommandSlot(nodeCount: number, timing: Timing = REFERENCE_TIMING): number {
  if (isReferenceTiming(timing)) return REFERENCE_ROUNDS_PER_COMMAND_SLOT;
  return Math.ceil(COMMAND_SLOT_MS_MIN / roundMsFor(nodeCount, timing));
}
