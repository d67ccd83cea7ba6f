import { strict as assert } from 'node:assert';
import { newServiceStatus } from '../../../src/common/manager-status.ts';
import { EtcdStatusStore } from '../../../src/store/etcd/etcd-status-store.ts';
import { withEtcdWorld } from '../../contract/etcd-harness.ts';
import { managerStatusOf } from '../../contract/status-store.contract.ts';

/** etcd refuses a request over --max-request-bytes, 1.5 MiB by default. */
const ETCD_REQUEST_BYTES_MAX = 1.5 * 1024 * 1024;

withEtcdWorld('EtcdStatusStore at scale (real 3-member etcd)', (world) => {
  it('a manager status of 100,000 services: no value near 1.5 MiB, and a one-service change writes one shard and the head', () => {
    const store = new EtcdStatusStore(world().client('a'), world().freshKeys());
    const status = managerStatusOf(100_000);
    let startMs = Date.now();
    assert.deepEqual(store.writeManagerStatus(status), { kind: 'written' });
    const first = store.lastManagerWrite!;
    const firstMs = Date.now() - startMs;
    startMs = Date.now();
    const read = store.readManagerStatus();
    const readMs = Date.now() - startMs;
    assert.equal(read.kind, 'ok');
    assert.equal(read.kind === 'ok' && read.value.serviceStatus.size, 100_000);
    console.log(`      100,000 services: ${first.shards} shards, ${first.bytesWritten} bytes, largest value ${first.largestValueBytes} bytes; write ${firstMs} ms, read ${readMs} ms`);
    assert.ok(first.largestValueBytes < ETCD_REQUEST_BYTES_MAX / 4, `largest value ${first.largestValueBytes} bytes`);
    status.serviceStatus.set('vm:100', newServiceStatus('stopped', 'node7', 'changed'));
    assert.deepEqual(store.writeManagerStatus(status), { kind: 'written' });
    const second = store.lastManagerWrite!;
    console.log(`      one service changed: ${second.shardsWritten} shard written, ${second.bytesWritten} bytes`);
    assert.equal(second.shardsWritten, 1);
    assert.ok(second.bytesWritten < first.bytesWritten / 10);
    const again = store.readManagerStatus();
    assert.equal(again.kind === 'ok' && again.value.serviceStatus.get('vm:100')?.uid, 'changed');
  });
});
