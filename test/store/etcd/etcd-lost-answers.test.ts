import { strict as assert } from 'node:assert';
import { EtcdLeaseStore } from '../../../src/store/etcd/etcd-lease-store.ts';
import { EtcdStatusStore } from '../../../src/store/etcd/etcd-status-store.ts';
import type { EtcdKvClient } from '../../../src/store/etcd/etcd-sync-client.ts';
import type { TxnRequest } from '../../../src/store/etcd/etcd-wire.ts';
import { MANAGER_LEASE } from '../../../src/store/lease-store.ts';
import { withEtcdWorld } from '../../contract/etcd-harness.ts';
import { managerStatusOf } from '../../contract/status-store.contract.ts';

const T = 1_000;

/**
 * A real client with faults at the adapter: the next txn's answer lost after etcd applied it (a
 * deadline that passed, a connection that broke on the way back), or the next txn sent twice (the
 * gateway rotated after the first attempt had reached etcd), or something done just before a txn.
 */
function faulty(inner: EtcdKvClient) {
  let isNextLost = false;
  let isNextRepeated = false;
  let beforeNext: ((request: TxnRequest) => void) | undefined;
  const client: EtcdKvClient = {
    range: (request) => inner.range(request),
    deleteRange: (request) => inner.deleteRange(request),
    txn: (request) => {
      const hook = beforeNext;
      beforeNext = undefined;
      hook?.(request);
      if (isNextRepeated) {
        isNextRepeated = false;
        inner.txn(request);
      }
      const answer = inner.txn(request);
      if (!isNextLost) return answer;
      isNextLost = false;
      return { kind: 'unavailable', message: 'etcd: the answer was lost (injected)' };
    },
  };
  return {
    client,
    loseNextAnswer: () => void (isNextLost = true),
    repeatNextTxn: () => void (isNextRepeated = true),
    beforeNextTxn: (hook: (request: TxnRequest) => void) => void (beforeNext = hook),
  };
}

withEtcdWorld('etcd store: writes whose answer was lost (real 3-member etcd, faults at the adapter)', (world) => {
  const stores = () => {
    const keys = world().freshKeys();
    const a = faulty(world().client('a'));
    const store = (node: string, client: EtcdKvClient) => new EtcdLeaseStore({ client, keys, node, leaseTimeoutMs: T });
    return { a, storeA: store('a', a.client), storeB: store('b', world().client('b')), keys };
  };

  it('a renewal that landed though its answer was lost: the holder recognises its own write and renews on; no early take', () => {
    const { a, storeA, storeB } = stores();
    assert.equal(storeA.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(storeB.acquire(MANAGER_LEASE, 0), 'refused');
    a.loseNextAnswer();
    assert.equal(storeA.acquire(MANAGER_LEASE, 100), 'unavailable');
    assert.equal(storeA.acquire(MANAGER_LEASE, 200), 'renewed', 'its compare failed on its own landed write, then succeeded against it');
    assert.equal(storeA.heldGeneration(MANAGER_LEASE), 1);
    assert.equal(storeB.acquire(MANAGER_LEASE, T + 1), 'refused', 'the contender saw the key change');
    assert.equal(storeA.acquire(MANAGER_LEASE, T + 150), 'renewed');
  });

  it('a take that landed though its answer was lost is not claimed: the lease expires like any unrenewed one', () => {
    const { a, storeA, storeB } = stores();
    a.loseNextAnswer();
    assert.equal(storeA.acquire(MANAGER_LEASE, 0), 'unavailable');
    const seen = storeA.inspect(MANAGER_LEASE, 1);
    assert.deepEqual(seen, { generation: 1, holder: 'a', isReleased: false, isHeldByMe: false, mayTake: false });
    assert.equal(storeA.heldGeneration(MANAGER_LEASE), undefined);
    assert.equal(storeB.acquire(MANAGER_LEASE, 2), 'refused');
    assert.equal(storeA.acquire(MANAGER_LEASE, T + 1), 'refused');
    assert.equal(storeA.acquire(MANAGER_LEASE, T + 2), 'taken', 'after the timeout from its own first look');
    assert.equal(storeA.heldGeneration(MANAGER_LEASE), 2);
  });

  it('a txn sent twice by one call (rotated after it reached etcd): the call sees its own write and succeeds', () => {
    const { a, storeA, storeB } = stores();
    a.repeatNextTxn();
    assert.equal(storeA.acquire(MANAGER_LEASE, 0), 'taken');
    a.repeatNextTxn();
    assert.equal(storeA.acquire(MANAGER_LEASE, 1), 'renewed');
    a.repeatNextTxn();
    assert.equal(storeA.release(MANAGER_LEASE, 2), 'released');
    assert.equal(storeB.acquire(MANAGER_LEASE, 3), 'taken');
  });

  it('a manager status head is not written while a shard it names is gone (a second writer cleaned up): the old status stays readable', () => {
    const keys = world().freshKeys();
    const a = faulty(world().client('a'));
    const store = new EtcdStatusStore(a.client, keys);
    assert.deepEqual(store.writeManagerStatus(managerStatusOf(3)), { kind: 'written' });
    let shardsWritten = 0;
    const removeAShard = (request: TxnRequest) => {
      const put = request.success[0];
      if (put && 'put' in put && put.put.key === keys.managerHead) return void world().client('b').deleteRange({ key: (request.compare[0] as { key: string }).key });
      shardsWritten++;
      a.beforeNextTxn(removeAShard);
    };
    a.beforeNextTxn(removeAShard);
    const write = store.writeManagerStatus(managerStatusOf(5));
    assert.equal(write.kind, 'unavailable');
    assert.match((write as { message: string }).message, /a shard the new head names was removed meanwhile/);
    assert.ok(shardsWritten > 0);
    const read = store.readManagerStatus();
    assert.equal(read.kind === 'ok' && read.value.serviceStatus.size, 3, JSON.stringify(read.kind));
    assert.deepEqual(store.writeManagerStatus(managerStatusOf(5)), { kind: 'written' }, 'the next write puts the missing shard again');
    const again = store.readManagerStatus();
    assert.equal(again.kind === 'ok' && again.value.serviceStatus.size, 5);
  });
});
