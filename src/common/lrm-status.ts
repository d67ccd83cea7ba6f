import type { LrmMode, LrmState } from './states.ts';
import type { LrmResultCode } from './lrm-result.ts';

export interface LrmActionResult {
  readonly sid: string;
  /** The service state that was executed as a request. */
  readonly request: string;
  readonly result: LrmResultCode;
}

/** What an LRM publishes for the master: its state, its mode, results by request id. */
export interface LrmStatus {
  readonly state: LrmState;
  readonly mode: LrmMode;
  readonly results: Readonly<Record<string, LrmActionResult>>;
  readonly timestampMs: number;
}
