import { strict as assert } from 'node:assert';
import {
  clientClosed,
  clientData,
  clientJoined,
  INITIAL_MUX_STATE,
  muxLimitsViolations,
  muxStopAction,
  muxTick,
  type MuxLimits,
  type MuxState,
} from '../../../src/watchdog/core/mux-state.ts';
import { AssertionError } from '../../../src/common/assert.ts';

const LIMITS: MuxLimits = { clientTimeoutMs: 60_000, clientWarningMs: 50_000, clientsMax: 3 };
const KEEPALIVE = new Uint8Array([0x6b]);
const MAGIC = new Uint8Array([0x56]);

function joined(ids: number[], nowMs = 0): MuxState {
  let state = INITIAL_MUX_STATE;
  for (const id of ids) state = clientJoined(state, id, nowMs, LIMITS).state;
  return state;
}

describe('watchdog/core/mux-state', () => {
  it('feeds with no client at all', () => {
    const tick = muxTick(INITIAL_MUX_STATE, 1_000_000, LIMITS);
    assert.equal(tick.shouldFeed, true);
    assert.deepEqual(tick.events, []);
  });

  it('feeds while every client keeps alive within the timeout', () => {
    let state = joined([0, 1]);
    for (let nowMs = 10_000; nowMs <= 300_000; nowMs += 10_000) {
      state = clientData(state, { clientId: 0, data: KEEPALIVE, nowMs }, LIMITS).state;
      state = clientData(state, { clientId: 1, data: KEEPALIVE, nowMs }, LIMITS).state;
      const tick = muxTick(state, nowMs + 999, LIMITS);
      assert.equal(tick.shouldFeed, true, `at ${nowMs}`);
      assert.deepEqual(tick.events, []);
      state = tick.state;
    }
  });

  it('warns once at the warning threshold and stops feeding at the timeout, for good', () => {
    let state = joined([0, 1]);
    state = muxTick(state, 49_999, LIMITS).state;
    const warn = muxTick(state, 50_000, LIMITS);
    assert.deepEqual(warn.events, [
      { kind: 'client-warning', clientId: 0, silentMs: 50_000 },
      { kind: 'client-warning', clientId: 1, silentMs: 50_000 },
    ]);
    assert.equal(warn.shouldFeed, true);
    state = clientData(warn.state, { clientId: 1, data: KEEPALIVE, nowMs: 55_000 }, LIMITS).state;
    const again = muxTick(state, 59_999, LIMITS);
    assert.deepEqual(again.events, [], 'the warning is given once per silence');
    assert.equal(again.shouldFeed, true);
    const expired = muxTick(again.state, 60_000, LIMITS);
    assert.equal(expired.shouldFeed, false);
    assert.deepEqual(expired.events.map((event) => event.kind), ['client-lost', 'feeding-stopped']);
    assert.match(expired.state.stopReason ?? '', /client 0 silent for 60000 ms/);
    const revived = clientData(expired.state, { clientId: 0, data: KEEPALIVE, nowMs: 60_001 }, LIMITS).state;
    assert.equal(muxTick(revived, 60_002, LIMITS).shouldFeed, false, 'the stop is latched');
  });

  it('warns again after a keepalive ends one silence and another begins', () => {
    let state = muxTick(joined([0]), 50_000, LIMITS).state;
    state = clientData(state, { clientId: 0, data: KEEPALIVE, nowMs: 51_000 }, LIMITS).state;
    assert.deepEqual(muxTick(state, 101_000, LIMITS).events, [{ kind: 'client-warning', clientId: 0, silentMs: 50_000 }]);
  });

  it('a close without V stops feeding', () => {
    const step = clientClosed(joined([0, 1]), 1);
    assert.deepEqual(step.events.map((event) => event.kind), ['client-lost', 'feeding-stopped']);
    assert.equal(muxTick(step.state, 1, LIMITS).shouldFeed, false);
    assert.deepEqual(muxStopAction(step.state).action, 'leave-armed');
  });

  it('V then close is a clean leave: the others keep the feeding going', () => {
    let state = clientData(joined([0, 1]), { clientId: 0, data: MAGIC, nowMs: 5_000 }, LIMITS).state;
    const left = clientClosed(state, 0);
    assert.deepEqual(left.events, [{ kind: 'client-left', clientId: 0, clientCount: 1 }]);
    state = clientData(left.state, { clientId: 1, data: KEEPALIVE, nowMs: 50_000 }, LIMITS).state;
    assert.equal(muxTick(state, 100_000, LIMITS).shouldFeed, true);
  });

  it('a keepalive after V takes the clean leave back', () => {
    let state = clientData(joined([0]), { clientId: 0, data: MAGIC, nowMs: 1 }, LIMITS).state;
    state = clientData(state, { clientId: 0, data: KEEPALIVE, nowMs: 2 }, LIMITS).state;
    assert.equal(clientClosed(state, 0).state.stopReason !== undefined, true);
  });

  it('a keepalive that arrives after the timeout is too late', () => {
    const step = clientData(joined([0]), { clientId: 0, data: KEEPALIVE, nowMs: 70_000 }, LIMITS);
    assert.match(step.state.stopReason ?? '', /only after 70000 ms/);
    assert.equal(muxTick(step.state, 70_001, LIMITS).shouldFeed, false);
  });

  it('refuses clients beyond clientsMax', () => {
    const step = clientJoined(joined([0, 1, 2]), 3, 0, LIMITS);
    assert.equal(step.isAccepted, false);
    assert.equal(step.state.clients.length, 3);
    assert.match(JSON.stringify(step.events), /clientsMax 3/);
  });

  it('magic-closes on a clean stop only with no client and feeding intact', () => {
    assert.deepEqual(muxStopAction(INITIAL_MUX_STATE), { action: 'magic-close' });
    assert.match(JSON.stringify(muxStopAction(joined([4]))), /1 client\(s\) still connected \(4\)/);
    const left = clientClosed(clientData(joined([0]), { clientId: 0, data: MAGIC, nowMs: 1 }, LIMITS).state, 0).state;
    assert.deepEqual(muxStopAction(left), { action: 'magic-close' });
    const lost = clientClosed(joined([0]), 0).state;
    assert.equal(muxStopAction(lost).action, 'leave-armed');
  });

  it('asserts on unknown clients, duplicate joins and a clock going back', () => {
    assert.throws(() => clientClosed(INITIAL_MUX_STATE, 9), AssertionError);
    assert.throws(() => clientJoined(joined([1]), 1, 0, LIMITS), AssertionError);
    assert.throws(() => muxTick(joined([0], 100), 50, LIMITS), AssertionError);
  });

  it('checks its limits', () => {
    assert.deepEqual(muxLimitsViolations(LIMITS), []);
    assert.deepEqual(muxLimitsViolations({ ...LIMITS, clientWarningMs: 60_000 }), ['clientWarningMs 60000 must be below clientTimeoutMs 60000']);
    assert.equal(muxLimitsViolations({ ...LIMITS, clientsMax: 0 }).length, 1);
  });
});
