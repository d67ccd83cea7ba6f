import type { LrmMode, LrmState } from './states.ts';
import type { LrmResultCode } from './lrm-result.ts';

export interface LrmActionResult {
  readonly sid: string;
  /** The service state that was executed as a request. */
  readonly request: string;
  readonly result: LrmResultCode;
  /** Why it failed, one line from the driver (absent on success, and from LRMs that predate it). */
  readonly reason?: string;
  /**
   * Only with `wrongNode`: whether the LRM found the service running on its node. Absent when its
   * look failed, and from LRMs that predate it: then nothing is known.
   */
  readonly runningHere?: boolean;
}

/** The `runningHere` of a `wrongNode` answer, to copy along with it (nothing when the LRM could not look). */
export function lookedHere(result: { readonly runningHere?: boolean }): { runningHere?: boolean } {
  return result.runningHere === undefined ? {} : { runningHere: result.runningHere };
}

/**
 * What an LRM publishes for the master: its state, its mode, results by request id. A Map, not a
 * plain object: the master looks up thousands of fresh request ids per round, and a Map finds a
 * freshly built string key without interning it first (about five times faster at 5,000 services).
 */
export interface LrmStatus {
  readonly state: LrmState;
  readonly mode: LrmMode;
  readonly results: ReadonlyMap<string, LrmActionResult>;
  readonly timestampMs: number;
  /** What the LRM measured on its node for the dynamic scheduler; absent when it could not measure. */
  readonly stats?: NodeLoadStats;
  /** The LRM runs with no watchdog (`watchdog none`): nothing resets its node, so its lease proves nothing. */
  readonly withoutWatchdog?: true;
  /** Fence jobs this node ran as a proxy, by the uid of the master's FenceAttempt; absent when none. */
  readonly fenceResults?: ReadonlyMap<string, FenceJobResult>;
}

/** How a fence job ended (src/fence): `ok` for off/on means every device of the level did it. */
export interface FenceJobResult {
  readonly uid: string;
  readonly target: string;
  readonly action: 'off' | 'on' | 'soft';
  readonly level: number;
  readonly ok: boolean;
  /** One line, secrets masked: why it failed, or what the soft fence found. */
  readonly reason?: string;
}

/** Measured use of one running service: CPUs busy (fractional) and resident memory. */
export interface ServiceLoad {
  readonly cpu: number;
  readonly memBytes: number;
}

/** A node's capacity and the measured use of each service running on it (README-5.2 §7.3). */
export interface NodeLoadStats {
  readonly maxCpu: number;
  readonly maxMemBytes: number;
  readonly services: ReadonlyMap<string, ServiceLoad>;
}
