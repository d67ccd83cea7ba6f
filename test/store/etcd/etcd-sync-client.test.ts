import { strict as assert } from 'node:assert';
import { EtcdSyncClient } from '../../../src/store/etcd/etcd-sync-client.ts';
import { prefixEnd } from '../../../src/store/etcd/etcd-wire.ts';
import { LocalEtcdCluster } from '../../../src/cluster/etcd-members.ts';
import { etcdAvailability } from '../../contract/etcd-harness.ts';

describe('EtcdSyncClient: blocking calls to a real 3-member etcd', function () {
  let cluster: LocalEtcdCluster;
  let client: EtcdSyncClient;
  before(async function () {
    if (etcdAvailability() === 'skip') return this.skip();
    cluster = await LocalEtcdCluster.start();
    client = new EtcdSyncClient({ endpoints: cluster.endpoints });
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('puts by compare-and-set, reads back, and refuses a stale compare with the current value', () => {
    const key = `${cluster.prefix}a`;
    const first = client.txn({ compare: [{ key, modRevision: 0 }], success: [{ put: { key, value: 'one' } }], failure: [{ range: { key } }] });
    assert.ok(!('message' in first) && first.succeeded, JSON.stringify(first));
    const again = client.txn({ compare: [{ key, modRevision: 0 }], success: [{ put: { key, value: 'two' } }], failure: [{ range: { key } }] });
    assert.ok(!('message' in again) && !again.succeeded);
    const seen = again.responses[0];
    assert.ok(seen?.kind === 'range');
    assert.deepEqual(seen.range.kvs.map((kv) => [kv.key, kv.value, kv.modRevision]), [[key, 'one', first.revision]]);
    const range = client.range({ key: cluster.prefix, rangeEnd: prefixEnd(cluster.prefix) });
    assert.ok(!('message' in range));
    assert.equal(range.count, 1);
  });

  it('overhead of one blocking call (range): median and p99 reported', () => {
    const key = `${cluster.prefix}a`;
    const samplesMs: number[] = [];
    for (let index = 0; index < 200; index++) {
      const startNs = process.hrtime.bigint();
      const answer = client.range({ key });
      samplesMs.push(Number(process.hrtime.bigint() - startNs) / 1e6);
      assert.ok(!('message' in answer));
    }
    samplesMs.sort((a, b) => a - b);
    console.log(`      blocking range: median ${samplesMs[100]!.toFixed(2)} ms, p99 ${samplesMs[198]!.toFixed(2)} ms`);
  });
});
