import { strict as assert } from 'node:assert';
import { emulatorRead, emulatorTick, emulatorWriterGone, INITIAL_EMULATOR_STATE, type EmulatorState } from '../../../src/watchdog/core/emulator-state.ts';

const KEEPALIVE = new Uint8Array([0x6b]);
const MAGIC = new Uint8Array([0x6b, 0x56]);

function read(state: EmulatorState, nowMs: number, data = KEEPALIVE): EmulatorState {
  return emulatorRead(state, { data, nowMs, wallMs: 1_000_000 + nowMs }).state;
}

describe('watchdog/core/emulator-state', () => {
  it('stays idle, and never resets, until the first byte arms it', () => {
    assert.deepEqual(emulatorTick(INITIAL_EMULATOR_STATE, 1_000_000, 1_000).events, []);
    const armed = emulatorRead(INITIAL_EMULATOR_STATE, { data: KEEPALIVE, nowMs: 5, wallMs: 7 });
    assert.deepEqual(armed.events, [{ kind: 'armed' }]);
    assert.equal(armed.state.phase, 'armed');
  });

  it('does not reset while keepalives flow, and tracks the largest gap', () => {
    let state = read(INITIAL_EMULATOR_STATE, 0);
    for (const nowMs of [900, 1_800, 3_100, 4_000]) {
      assert.deepEqual(emulatorTick(state, nowMs - 1, 1_500).events, []);
      state = read(state, nowMs);
    }
    assert.equal(state.largestGapMs, 1_300);
    assert.equal(state.keepaliveCount, 5);
  });

  it('resets after its timeout without keepalives and is idle afterwards', () => {
    const state = read(INITIAL_EMULATOR_STATE, 100);
    assert.deepEqual(emulatorTick(state, 1_099, 1_000).events, []);
    const reset = emulatorTick(state, 1_100, 1_000);
    assert.deepEqual(reset.events, [{ kind: 'reset', silentMs: 1_000, lastKeepaliveWallMs: 1_000_100 }]);
    assert.equal(reset.state.phase, 'idle');
    assert.deepEqual(emulatorTick(reset.state, 10_000, 1_000).events, []);
  });

  it('a close after V disarms; a close without V keeps the timer running', () => {
    const disarmed = emulatorWriterGone(read(INITIAL_EMULATOR_STATE, 0, MAGIC));
    assert.deepEqual(disarmed.events, [{ kind: 'disarmed' }]);
    assert.deepEqual(emulatorTick(disarmed.state, 60_000, 1_000).events, []);
    const dropped = emulatorWriterGone(read(INITIAL_EMULATOR_STATE, 0));
    assert.deepEqual(dropped.events, [{ kind: 'closed-without-magic' }]);
    assert.deepEqual(emulatorWriterGone(dropped.state).events, [], 'only the first end of file is a close');
    assert.equal(emulatorTick(dropped.state, 1_000, 1_000).events[0]?.kind, 'reset');
  });
});
