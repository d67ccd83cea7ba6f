import { strict as assert } from 'node:assert';
import { AssertionError } from '../../src/common/assert.ts';
import { agentLease, MANAGER_LEASE, type LeaseName, type LeaseStore, type LeaseInspection } from '../../src/store/lease-store.ts';

/** What the shared lease-store suite needs from one implementation. */
export interface LeaseStoreHarness {
  /** The store of `node`; each node gets one instance for the whole test. */
  store(node: string): LeaseStore;
  /** A new instance for `node`: the store of a restarted daemon of that node. */
  restart(node: string): LeaseStore;
  /** Makes every call of `node` fail as an unreachable store does; `false` repairs it. */
  setBroken(node: string, isBroken: boolean): void;
  cleanup(): void;
}

export interface LeaseStoreTraits {
  /**
   * True when every node learns of a renewal the moment it happens (memory store, simulator): a late
   * watcher may then take a lease whose last renewal is older than the timeout at its first look. False
   * when expiry is observed (dir store): a late watcher waits the full timeout from its first look.
   */
  readonly seesRenewalsAtOnce: boolean;
  /**
   * True when holding is the node's (memory store, simulator, as Proxmox's cluster filesystem): a
   * restarted daemon of the holder's node renews at once. False when it is the instance's memory (dir
   * store): a restarted daemon is a contender until it adopts the lease.
   */
  readonly isHeldPerNode: boolean;
}

export const CONTRACT_TIMEOUT_MS = 1_000;
const T = CONTRACT_TIMEOUT_MS;

/** The lease-store contract: every implementation of the LeaseStore port passes it. */
export function leaseStoreContract(label: string, makeHarness: (leaseTimeoutMs: number) => LeaseStoreHarness, traits: LeaseStoreTraits): void {
  describe(`LeaseStore contract: ${label}`, () => {
    let harness: LeaseStoreHarness;
    beforeEach(() => {
      harness = makeHarness(T);
    });
    afterEach(() => harness.cleanup());
    const stores = (...nodes: string[]) => nodes.map((node) => harness.store(node));

    singleHolderCases(stores);
    expiryCases(stores, traits);
    raceAndStaleCases(stores);
    failureCases(() => harness, stores);
    adoptCases(() => harness, stores, traits);
  });
}

function view(store: LeaseStore, name: LeaseName, nowMs: number): LeaseInspection {
  const seen = store.inspect(name, nowMs);
  assert.notEqual(seen, 'unavailable', `${store.node} could not inspect ${name} at ${nowMs}`);
  return seen as LeaseInspection;
}

function singleHolderCases(stores: (...nodes: string[]) => LeaseStore[]): void {
  it('a lease never taken is free: the first take wins, others are refused', () => {
    const [a, b] = stores('a', 'b');
    assert.deepEqual(view(a!, MANAGER_LEASE, 0), { generation: 0, holder: undefined, isReleased: false, isHeldByMe: false, mayTake: true });
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(b!.acquire(MANAGER_LEASE, 0), 'refused');
    assert.deepEqual(view(b!, MANAGER_LEASE, 1), { generation: 1, holder: 'a', isReleased: false, isHeldByMe: false, mayTake: false });
    assert.deepEqual(view(a!, MANAGER_LEASE, 1), { generation: 1, holder: 'a', isReleased: false, isHeldByMe: true, mayTake: false });
  });

  it('the holder renews within the timeout, as often as it likes, and keeps the generation', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    for (let nowMs = 400; nowMs <= 10 * T; nowMs += 400) {
      assert.equal(a!.acquire(MANAGER_LEASE, nowMs), 'renewed', `renewal at ${nowMs}`);
      assert.equal(b!.acquire(MANAGER_LEASE, nowMs), 'refused', `contender at ${nowMs}`);
    }
    assert.equal(view(b!, MANAGER_LEASE, 10 * T).generation, 1);
  });

  it('a holder knows the generation it holds from its own writes; a release ends it', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.heldGeneration(MANAGER_LEASE), undefined, 'never taken');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a!.heldGeneration(MANAGER_LEASE), 1);
    assert.equal(b!.heldGeneration(MANAGER_LEASE), undefined, 'another node holds nothing');
    assert.equal(a!.acquire(MANAGER_LEASE, 400), 'renewed');
    assert.equal(a!.heldGeneration(MANAGER_LEASE), 1, 'a renewal keeps the generation');
    assert.equal(a!.release(MANAGER_LEASE, 500), 'released');
    assert.equal(a!.heldGeneration(MANAGER_LEASE), undefined);
    assert.equal(b!.acquire(MANAGER_LEASE, 600), 'taken');
    assert.equal(b!.heldGeneration(MANAGER_LEASE), 2, 'the next take, the next generation');
  });

  it('a release frees the lease at once: the next contender takes the next generation', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(b!.acquire(MANAGER_LEASE, 5), 'refused');
    assert.equal(a!.release(MANAGER_LEASE, 10), 'released');
    assert.deepEqual(view(b!, MANAGER_LEASE, 11), { generation: 1, holder: 'a', isReleased: true, isHeldByMe: false, mayTake: true });
    assert.equal(b!.acquire(MANAGER_LEASE, 11), 'taken');
    assert.equal(view(b!, MANAGER_LEASE, 12).generation, 2);
    assert.equal(a!.release(MANAGER_LEASE, 13), 'not-holder');
    assert.equal(a!.acquire(MANAGER_LEASE, 14), 'refused');
  });

  it('only the holder releases', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(b!.release(MANAGER_LEASE, 0), 'not-holder');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(b!.release(MANAGER_LEASE, 1), 'not-holder');
    assert.equal(b!.acquire(MANAGER_LEASE, 2), 'refused');
    assert.equal(a!.acquire(MANAGER_LEASE, 3), 'renewed');
  });

  it('leases of different names are independent (manager, agent.<node>)', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(b!.acquire(agentLease('b'), 0), 'taken');
    assert.equal(a!.acquire(agentLease('a'), 0), 'taken');
    assert.equal(a!.acquire(agentLease('b'), 1), 'refused');
    assert.equal(b!.release(agentLease('b'), 2), 'released');
    assert.equal(a!.acquire(agentLease('b'), 3), 'taken');
    assert.equal(a!.acquire(MANAGER_LEASE, 4), 'renewed');
  });

  it('bad lease names and a clock that goes back are bugs of the caller', () => {
    const [a] = stores('a');
    assert.throws(() => a!.acquire('ha_manager_lock' as LeaseName, 0), AssertionError);
    assert.throws(() => a!.acquire('agent.bad/name' as LeaseName, 0), AssertionError);
    assert.throws(() => a!.acquire(MANAGER_LEASE, 1.5), AssertionError);
    assert.equal(a!.acquire(MANAGER_LEASE, 100), 'taken');
    assert.throws(() => a!.acquire(MANAGER_LEASE, 99), /nowMs went back from 100 to 99/);
  });
}

function expiryCases(stores: (...nodes: string[]) => LeaseStore[], traits: LeaseStoreTraits): void {
  it('a contender watching since the take may take only after strictly more than the timeout', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(view(b!, MANAGER_LEASE, 0).mayTake, false);
    assert.equal(b!.acquire(MANAGER_LEASE, T - 1), 'refused');
    assert.equal(b!.acquire(MANAGER_LEASE, T), 'refused');
    assert.equal(view(b!, MANAGER_LEASE, T + 1).mayTake, true);
    assert.equal(b!.acquire(MANAGER_LEASE, T + 1), 'taken');
    assert.deepEqual(view(b!, MANAGER_LEASE, T + 2), { generation: 2, holder: 'b', isReleased: false, isHeldByMe: true, mayTake: false });
  });

  it('a renewal just inside the timeout holds the lease; just outside it is a new take', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(view(b!, MANAGER_LEASE, 0).mayTake, false);
    assert.equal(a!.acquire(MANAGER_LEASE, T), 'renewed', 'renewal exactly at the timeout');
    assert.equal(view(b!, MANAGER_LEASE, T).mayTake, false);
    assert.equal(b!.acquire(MANAGER_LEASE, T + 1), 'refused', 'the renewal at T restarted the wait');
    assert.equal(b!.acquire(MANAGER_LEASE, 2 * T), 'refused');
    assert.equal(a!.acquire(MANAGER_LEASE, 2 * T + 1), 'taken', 'renewal one ms too late: a fresh take');
    assert.equal(view(a!, MANAGER_LEASE, 2 * T + 1).generation, 2);
    assert.equal(b!.acquire(MANAGER_LEASE, 2 * T + 2), 'refused');
  });

  it(traits.seesRenewalsAtOnce
    ? 'a late watcher sees the last renewal at once: it takes when that is older than the timeout'
    : 'a late watcher waits the full timeout from its own first look', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    const firstLookMs = 5 * T;
    assert.equal(b!.acquire(MANAGER_LEASE, firstLookMs), traits.seesRenewalsAtOnce ? 'taken' : 'refused');
    if (traits.seesRenewalsAtOnce) return;
    assert.equal(b!.acquire(MANAGER_LEASE, firstLookMs + T), 'refused');
    assert.equal(b!.acquire(MANAGER_LEASE, firstLookMs + T + 1), 'taken');
  });

  it('a holder that lost the lease cannot renew or release it', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(view(b!, MANAGER_LEASE, 0).holder, 'a');
    assert.equal(b!.acquire(MANAGER_LEASE, T + 1), 'taken');
    assert.equal(a!.acquire(MANAGER_LEASE, T + 2), 'refused');
    assert.equal(a!.release(MANAGER_LEASE, T + 3), 'not-holder');
    assert.equal(view(a!, MANAGER_LEASE, T + 4).isHeldByMe, false);
    assert.equal(b!.acquire(MANAGER_LEASE, T + 5), 'renewed');
  });
}

function raceAndStaleCases(stores: (...nodes: string[]) => LeaseStore[]): void {
  it('two contenders racing for the same generation: exactly one wins', () => {
    const [a, b, c] = stores('a', 'b', 'c');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(view(b!, MANAGER_LEASE, 0).mayTake, false);
    assert.equal(view(c!, MANAGER_LEASE, 0).mayTake, false);
    assert.equal(view(b!, MANAGER_LEASE, T + 1).mayTake, true);
    assert.equal(view(c!, MANAGER_LEASE, T + 1).mayTake, true);
    const outcomes = [c!.acquire(MANAGER_LEASE, T + 1), b!.acquire(MANAGER_LEASE, T + 1)];
    assert.deepEqual(outcomes, ['taken', 'refused']);
    assert.deepEqual(view(b!, MANAGER_LEASE, T + 2), { generation: 2, holder: 'c', isReleased: false, isHeldByMe: false, mayTake: false });
  });

  it('two contenders after a release: exactly one wins', () => {
    const [a, b, c] = stores('a', 'b', 'c');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a!.release(MANAGER_LEASE, 1), 'released');
    assert.equal(view(b!, MANAGER_LEASE, 2).mayTake, true);
    assert.equal(view(c!, MANAGER_LEASE, 2).mayTake, true);
    assert.equal(b!.acquire(MANAGER_LEASE, 3), 'taken');
    assert.equal(c!.acquire(MANAGER_LEASE, 3), 'refused');
  });

  it('an observer that read the heartbeat before a renewal does not take early', () => {
    const [a, c] = stores('a', 'c');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(view(c!, MANAGER_LEASE, 0).mayTake, false);
    assert.equal(a!.acquire(MANAGER_LEASE, 1), 'renewed');
    assert.equal(c!.acquire(MANAGER_LEASE, T + 1), 'refused', 'the lease was renewed at 1');
    assert.equal(c!.acquire(MANAGER_LEASE, 2 * T + 2), 'taken');
  });
}

function failureCases(harnessOf: () => LeaseStoreHarness, stores: (...nodes: string[]) => LeaseStore[]): void {
  it('an unreachable store is unavailable, not an error; the holder renews once it is back', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    harnessOf().setBroken('a', true);
    assert.equal(a!.acquire(MANAGER_LEASE, 10), 'unavailable');
    assert.equal(a!.inspect(MANAGER_LEASE, 11), 'unavailable');
    assert.equal(a!.release(MANAGER_LEASE, 12), 'unavailable');
    assert.equal(b!.acquire(MANAGER_LEASE, 13), 'refused');
    harnessOf().setBroken('a', false);
    assert.equal(a!.acquire(MANAGER_LEASE, T), 'renewed');
  });

  it('a holder cut off for longer than the timeout finds the lease taken', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(b!.acquire(MANAGER_LEASE, 0), 'refused');
    harnessOf().setBroken('a', true);
    assert.equal(a!.acquire(MANAGER_LEASE, T / 2), 'unavailable');
    assert.equal(b!.acquire(MANAGER_LEASE, T + 1), 'taken');
    harnessOf().setBroken('a', false);
    assert.equal(a!.acquire(MANAGER_LEASE, T + 2), 'refused');
    assert.equal(view(a!, MANAGER_LEASE, T + 3).holder, 'b');
  });
}

function adoptCases(harnessOf: () => LeaseStoreHarness, stores: (...nodes: string[]) => LeaseStore[], traits: LeaseStoreTraits): void {
  it(traits.isHeldPerNode ? 'a restarted daemon of the holder renews at once: holding is the node\'s' : 'a restarted daemon of the holder is a contender until it adopts', () => {
    const [a] = stores('a');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a!.acquire(MANAGER_LEASE, 100), 'renewed');
    const restarted = harnessOf().restart('a');
    assert.equal(view(restarted, MANAGER_LEASE, 200).isHeldByMe, traits.isHeldPerNode);
    assert.equal(restarted.acquire(MANAGER_LEASE, 201), traits.isHeldPerNode ? 'renewed' : 'refused');
  });

  it('a restarted daemon adopts the lease its node holds: at once, writing nothing, renewing within the rest of the timeout', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(view(b!, MANAGER_LEASE, 0).mayTake, false);
    assert.equal(a!.acquire(MANAGER_LEASE, 100), 'renewed');
    assert.equal(view(b!, MANAGER_LEASE, 100).mayTake, false);
    const restarted = harnessOf().restart('a');
    assert.equal(restarted.adopt(MANAGER_LEASE, 300, 200), 'adopted', 'renewed 200 ms ago by the previous process');
    assert.deepEqual(view(restarted, MANAGER_LEASE, 300), { generation: 1, holder: 'a', isReleased: false, isHeldByMe: true, mayTake: false });
    assert.equal(b!.acquire(MANAGER_LEASE, 100 + T), 'refused', 'the contender still waits from the renewal at 100');
    assert.equal(restarted.acquire(MANAGER_LEASE, 100 + T), 'renewed', 'the last moment of the proven timeout');
    assert.equal(b!.acquire(MANAGER_LEASE, 100 + T + 1), 'refused', 'the renewal restarted the wait');
    assert.equal(view(b!, MANAGER_LEASE, 100 + T + 2).generation, 1);
  });

  it('adopting does not lengthen the lease: unrenewed, it is free when the last real renewal is one timeout old', () => {
    const [a, b] = stores('a', 'b');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a!.acquire(MANAGER_LEASE, 100), 'renewed');
    assert.equal(view(b!, MANAGER_LEASE, 100).mayTake, false);
    const restarted = harnessOf().restart('a');
    assert.equal(restarted.adopt(MANAGER_LEASE, 150, 50), 'adopted');
    assert.equal(b!.acquire(MANAGER_LEASE, 100 + T + 1), 'taken');
    assert.equal(restarted.acquire(MANAGER_LEASE, 100 + T + 2), 'refused');
    assert.equal(view(restarted, MANAGER_LEASE, 100 + T + 3).isHeldByMe, false);
  });

  it('adopt refuses a lease never taken, held by another node, released, lost, or renewed longer ago than the timeout', () => {
    const [a, b] = stores('a', 'b');
    const restart = () => harnessOf().restart('a');
    assert.equal(a!.adopt(MANAGER_LEASE, 0, 0), 'not-holder', 'never taken');
    assert.equal(b!.acquire(MANAGER_LEASE, 1), 'taken');
    assert.equal(restart().adopt(MANAGER_LEASE, 2, 0), 'not-holder', 'held by b');
    assert.equal(b!.acquire(MANAGER_LEASE, 3), 'renewed', 'b unaffected');
    assert.equal(b!.release(MANAGER_LEASE, 4), 'released');
    assert.equal(a!.acquire(agentLease('a'), 5), 'taken');
    assert.equal(a!.release(agentLease('a'), 6), 'released');
    assert.equal(restart().adopt(agentLease('a'), 7, 1), 'not-holder', 'released');
    assert.equal(a!.acquire(MANAGER_LEASE, 8), 'taken');
    assert.equal(restart().adopt(MANAGER_LEASE, 9, T + 1), 'not-holder', 'nothing left of the timeout');
    assert.equal(view(b!, MANAGER_LEASE, 8).mayTake, false);
    assert.equal(b!.acquire(MANAGER_LEASE, 8 + T + 1), 'taken');
    assert.equal(restart().adopt(MANAGER_LEASE, 8 + T + 2, 0), 'not-holder', 'lost to b');
  });

  it('adopt is idempotent and keeps a later renewal; bad bounds are bugs; an unreachable store is unavailable', () => {
    const [a] = stores('a');
    assert.equal(a!.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a!.acquire(MANAGER_LEASE, 500), 'renewed');
    assert.equal(a!.adopt(MANAGER_LEASE, 600, 600), 'adopted');
    assert.equal(a!.acquire(MANAGER_LEASE, 500 + T), 'renewed', 'its own renewal at 500 counts, not the bound');
    assert.throws(() => a!.adopt(MANAGER_LEASE, 500 + T, -1), AssertionError);
    assert.throws(() => a!.adopt(MANAGER_LEASE, 500 + T, 1.5), AssertionError);
    harnessOf().setBroken('a', true);
    assert.equal(harnessOf().restart('a').adopt(MANAGER_LEASE, 500 + T, 0), 'unavailable');
  });
}
