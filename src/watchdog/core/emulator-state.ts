/**
 * The emulated watchdog device's decisions, pure. It behaves like a Linux watchdog driver without
 * `nowayout`: the first byte arms it (the mux writes one right after opening); every byte is a
 * keepalive; a close right after `V` disarms it; a close without `V` leaves it armed ("watchdog did not
 * stop!"); when no byte came for `timeoutMs` while armed, it resets the node. After a reset it is idle
 * again, like the device of a node that has rebooted.
 */
import { assert } from '../../common/assert.ts';
import { MAGIC_BYTE } from './mux-protocol.ts';

export type EmulatorPhase = 'idle' | 'armed';

export interface EmulatorState {
  readonly phase: EmulatorPhase;
  /** A writer has sent bytes since the device was last found without writer. */
  readonly hasWriter: boolean;
  readonly lastKeepaliveMs: number;
  readonly lastKeepaliveWallMs: number;
  readonly isMagicPending: boolean;
  /** Keepalives (bytes) seen while armed, for the figures printed at exit. */
  readonly keepaliveCount: number;
  /** Largest gap between two keepalives in one armed period. */
  readonly largestGapMs: number;
}

export type EmulatorEvent =
  | { readonly kind: 'armed' }
  | { readonly kind: 'disarmed' }
  | { readonly kind: 'closed-without-magic' }
  | { readonly kind: 'reset'; readonly silentMs: number; readonly lastKeepaliveWallMs: number };

export const INITIAL_EMULATOR_STATE: EmulatorState = {
  phase: 'idle',
  hasWriter: false,
  lastKeepaliveMs: 0,
  lastKeepaliveWallMs: 0,
  isMagicPending: false,
  keepaliveCount: 0,
  largestGapMs: 0,
};

/** Bytes read from the device: keepalives (and arming, when idle). */
export function emulatorRead(state: EmulatorState, input: { data: Uint8Array; nowMs: number; wallMs: number }): { state: EmulatorState; events: EmulatorEvent[] } {
  assert(input.data.length > 0, 'The emulated device read an empty chunk');
  const isArming = state.phase === 'idle';
  const gapMs = isArming ? 0 : input.nowMs - state.lastKeepaliveMs;
  assert(gapMs >= 0, `Clock went back on the emulated device: ${gapMs} ms`);
  const next: EmulatorState = {
    phase: 'armed',
    hasWriter: true,
    lastKeepaliveMs: input.nowMs,
    lastKeepaliveWallMs: input.wallMs,
    isMagicPending: input.data[input.data.length - 1] === MAGIC_BYTE,
    keepaliveCount: state.keepaliveCount + input.data.length,
    largestGapMs: Math.max(state.largestGapMs, gapMs),
  };
  return { state: next, events: isArming ? [{ kind: 'armed' }] : [] };
}

/** The device has no writer (end of file). Only the first end after bytes counts as a close. */
export function emulatorWriterGone(state: EmulatorState): { state: EmulatorState; events: EmulatorEvent[] } {
  assert(state.phase === 'armed' || !state.hasWriter, 'An idle emulated device has a writer');
  if (!state.hasWriter) return { state, events: [] };
  assert(state.phase === 'armed', 'A writer was seen while the device was idle');
  if (state.isMagicPending) return { state: { ...state, phase: 'idle', hasWriter: false }, events: [{ kind: 'disarmed' }] };
  return { state: { ...state, hasWriter: false }, events: [{ kind: 'closed-without-magic' }] };
}

/** Checks the timer: an armed device silent for `timeoutMs` resets the node. */
export function emulatorTick(state: EmulatorState, nowMs: number, timeoutMs: number): { state: EmulatorState; events: EmulatorEvent[] } {
  assert(Number.isInteger(timeoutMs) && timeoutMs > 0, `Emulated device timeout must be a positive integer of ms, got ${timeoutMs}`);
  if (state.phase !== 'armed') return { state, events: [] };
  const silentMs = nowMs - state.lastKeepaliveMs;
  assert(silentMs >= 0, `Clock went back on the emulated device: ${silentMs} ms`);
  if (silentMs < timeoutMs) return { state, events: [] };
  const reset: EmulatorEvent = { kind: 'reset', silentMs, lastKeepaliveWallMs: state.lastKeepaliveWallMs };
  return { state: { ...state, phase: 'idle', hasWriter: false, isMagicPending: false }, events: [reset] };
}
