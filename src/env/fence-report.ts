import type { FencedRecord } from '../store/fenced-record.ts';
import type { BlackBoxEntry } from './node-journal.ts';

/** What the black box says about the previous run of a daemon. */
export interface LastRun {
  /** The previous run ended with its watchdog client armed (died, or exited leaving it to the watchdog). */
  readonly diedArmed: boolean;
  readonly lastRenewalWallMs: number | undefined;
  /** The last failed renewal or watchdog problem, one line. */
  readonly lastProblem: string | undefined;
  readonly lastEntryWallMs: number | undefined;
  readonly bootId: string | undefined;
}

/** Reads the previous run from the black box entries (oldest first) recorded before this start. */
export function lastRunOf(entries: readonly BlackBoxEntry[]): LastRun {
  let isArmed = false;
  let lastRenewalWallMs: number | undefined;
  let lastProblem: string | undefined;
  let bootId: string | undefined;
  for (const entry of entries) {
    switch (entry.kind) {
      case 'start':
        [isArmed, lastProblem] = [false, undefined];
        bootId = /boot ([0-9a-f-]+)/.exec(entry.detail)?.[1];
        break;
      case 'arm':
      case 'claim':
        isArmed = true;
        break;
      case 'disarm':
      case 'hand-over': // left armed on purpose, for the next process to claim: not a death
        isArmed = false;
        break;
      case 'renew':
        lastRenewalWallMs = entry.wallMs;
        break;
      case 'renew-failed':
      case 'lease-lost':
      case 'watchdog-failed':
        lastProblem = `${entry.kind}: ${entry.detail}`;
        break;
      default:
        break;
    }
  }
  return { diedArmed: isArmed, lastRenewalWallMs, lastProblem, lastEntryWallMs: entries.at(-1)?.wallMs, bootId };
}

/** This host's boot id (src/store/boot-id.ts): a changed one after an armed death means a reset. */
export { currentBootId } from '../store/boot-id.ts';

/**
 * The fenced record a daemon publishes when its previous run died armed: one sentence saying what
 * ended it and what the black box last saw. `emulatedResetWallMs` is a reset the emulated device
 * recorded after the last renewal (tests, demo); `emulatedResetCause` the reason it recorded: its
 * watchdog (`watchdog`), or what else ended the node (an emulated BMC's power-off, a fault swarm).
 */
export function fencedRecordOf(
  node: string,
  daemon: string,
  lastRun: LastRun,
  context: { wallMs: number; bootId: string | undefined; emulatedResetWallMs: number | undefined; emulatedResetCause?: string },
): FencedRecord {
  const rebooted = lastRun.bootId !== undefined && context.bootId !== undefined && lastRun.bootId !== context.bootId;
  const cause = context.emulatedResetCause;
  const emulated = cause === undefined || cause === 'watchdog' ? 'reset by its (emulated) watchdog' : `${cause} (emulated)`;
  const how =
    context.emulatedResetWallMs !== undefined
      ? `${emulated}${lastRun.lastRenewalWallMs === undefined ? '' : ` ${secondsText(context.emulatedResetWallMs - lastRun.lastRenewalWallMs)} after its last lease renewal`}`
      : rebooted
        ? 'rebooted (watchdog reset or power loss)'
        : 'the daemon died without leaving its watchdog (killed or crashed; the watchdog resets the node)';
  // Times as durations between the black box's own records: an epoch timestamp says nothing to a reader.
  const renewal =
    lastRun.lastRenewalWallMs === undefined
      ? 'no lease renewal recorded'
      : `last lease renewal ${secondsText(Math.max(0, (lastRun.lastEntryWallMs ?? lastRun.lastRenewalWallMs) - lastRun.lastRenewalWallMs))} before its last record`;
  const problem = lastRun.lastProblem === undefined ? '' : `; last problem: ${lastRun.lastProblem}`;
  return {
    node,
    reason: `${daemon} of ${node} was fenced: ${how}; ${renewal}${problem}`.slice(0, 1000),
    wallMs: context.wallMs,
    ...(lastRun.lastRenewalWallMs !== undefined ? { lastRenewalWallMs: lastRun.lastRenewalWallMs } : {}),
  };
}

function secondsText(durationMs: number): string {
  return `${(durationMs / 1000).toFixed(1)} s`;
}
