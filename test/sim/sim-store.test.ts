import { strict as assert } from 'node:assert';
import { SimClock } from '../../src/sim/sim-clock.ts';
import { SimLeaseStore, type LeaseObserver } from '../../src/sim/sim-store.ts';

const TIMEOUT_MS = 120_000;

function observer(node: string, nowMs: number, staleMs = 0, clock = new SimClock()): LeaseObserver {
  return { node, nowMs, staleMs, ownClockAt: (timeMs) => clock.at(timeMs) };
}

describe('simulated lease store (dir store model)', () => {
  it('without faults: renew within the timeout, take strictly after it (the reference rule)', () => {
    const store = new SimLeaseStore(TIMEOUT_MS);
    assert.equal(store.acquire('l', observer('a', 0)), 'taken');
    assert.equal(store.acquire('l', observer('a', 100_000)), 'renewed');
    assert.equal(store.acquire('l', observer('b', 220_000)), 'refused');
    assert.equal(store.acquire('l', observer('b', 220_001)), 'taken');
    assert.equal(store.acquire('l', observer('a', 220_002)), 'refused');
    assert.equal(store.latest('l')?.generation, 2);
  });

  it('a release frees the lease at once; a non-holder cannot release', () => {
    const store = new SimLeaseStore(TIMEOUT_MS);
    store.acquire('l', observer('a', 0));
    assert.equal(store.release('l', 'b', 1000), false);
    assert.equal(store.release('l', 'a', 1000), true);
    assert.equal(store.acquire('l', observer('b', 1001)), 'taken');
  });

  it('a stale observer takes only after seeing the heartbeat unchanged for the timeout from when it saw it', () => {
    const store = new SimLeaseStore(TIMEOUT_MS);
    store.acquire('l', observer('a', 0));
    store.acquire('l', observer('a', 50_000));
    assert.equal(store.acquire('l', observer('b', 170_001, 20_000)), 'refused', 'fresh reads would take here');
    assert.equal(store.acquire('l', observer('b', 190_000, 20_000)), 'refused');
    assert.equal(store.acquire('l', observer('b', 190_001, 20_000)), 'taken');
  });

  it('a contender that sees nothing yet, or an older generation, cannot take (the mkdir would fail)', () => {
    const store = new SimLeaseStore(TIMEOUT_MS);
    store.acquire('l', observer('a', 100_000));
    assert.equal(store.acquire('l', observer('b', 110_000, 20_000)), 'refused', 'nothing visible yet');
    store.acquire('l', observer('c', 300_000));
    assert.equal(store.acquire('l', observer('b', 301_000, 20_000)), 'refused', 'sees a\'s old generation, c already took the next');
  });

  it('a slow clock waits longer in real time, a fast one less (drift within bounds)', () => {
    const fast = new SimClock();
    fast.setDrift(0, 50);
    const store = new SimLeaseStore(TIMEOUT_MS);
    store.acquire('l', observer('a', 0));
    assert.equal(store.acquire('l', observer('b', 114_000, 0, fast)), 'refused');
    assert.equal(store.acquire('l', observer('b', 114_300, 0, fast)), 'taken', '120 s on a clock 5 % fast is 114.3 s');
  });
});

describe('simulated clock', () => {
  it('reads the simulated time without drift and integrates rate changes', () => {
    const clock = new SimClock();
    assert.equal(clock.at(12_345), 12_345);
    clock.setDrift(10_000, 100);
    assert.equal(clock.at(20_000), 21_000);
    clock.setDrift(20_000, -100);
    assert.equal(clock.at(30_000), 30_000);
    assert.equal(clock.at(5_000), 5_000, 'the past before any drift is unchanged');
  });
});
