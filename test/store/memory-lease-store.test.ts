import { strict as assert } from 'node:assert';
import { MemoryLeaseBoard } from '../../src/store/memory-lease-store.ts';
import { MANAGER_LEASE, type LeaseInspection } from '../../src/store/lease-store.ts';

const T = 1_000;

describe('MemoryLeaseBoard (reference semantics, stale views)', () => {
  it('an observer with a stale view believes the lease expired, but its compare-and-set is refused', () => {
    const board = new MemoryLeaseBoard(T);
    const [a, c] = [board.forNode('a'), board.forNode('c')];
    board.setVisibilityDelay('c', 200);
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a.acquire(MANAGER_LEASE, 900), 'renewed');
    const stale = c.inspect(MANAGER_LEASE, 1_001) as LeaseInspection;
    assert.equal(stale.mayTake, true, 'c sees the state of 801: the take at 0, expired');
    assert.equal(c.acquire(MANAGER_LEASE, 1_001), 'refused');
    assert.equal(board.current(MANAGER_LEASE)?.holder, 'a');
    assert.equal(c.acquire(MANAGER_LEASE, 1_900), 'refused', 'c sees the renewal at 900 by now');
    assert.equal(c.acquire(MANAGER_LEASE, 1_901), 'taken');
  });

  it('a node sees its own writes at once, whatever its delay', () => {
    const board = new MemoryLeaseBoard(T);
    const a = board.forNode('a');
    board.setVisibilityDelay('a', 5_000);
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a.acquire(MANAGER_LEASE, 1), 'renewed');
    assert.equal((a.inspect(MANAGER_LEASE, 2) as LeaseInspection).isHeldByMe, true);
    assert.equal(a.release(MANAGER_LEASE, 3), 'released');
  });

  it('a stale view hides a take by another node: the late node is refused, not given a second lease', () => {
    const board = new MemoryLeaseBoard(T);
    const [a, b] = [board.forNode('a'), board.forNode('b')];
    board.setVisibilityDelay('b', 500);
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a.release(MANAGER_LEASE, 10), 'released');
    assert.equal(board.forNode('c').acquire(MANAGER_LEASE, 20), 'taken');
    assert.equal((b.inspect(MANAGER_LEASE, 30) as LeaseInspection).generation, 0, 'b still sees nothing at all');
    assert.equal(b.acquire(MANAGER_LEASE, 30), 'refused');
    assert.deepEqual(board.current(MANAGER_LEASE), { generation: 2, holder: 'c', counter: 1, renewedMs: 20, isReleased: false });
  });

  it('follows the simulator: an expired lease is taken by whoever asks first, its former holder included', () => {
    const board = new MemoryLeaseBoard(T);
    const a = board.forNode('a');
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a.acquire(MANAGER_LEASE, T + 1), 'taken');
    assert.equal(board.current(MANAGER_LEASE)?.generation, 2);
  });
});
