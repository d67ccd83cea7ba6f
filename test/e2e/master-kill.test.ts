import { strict as assert } from 'node:assert';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForRecoveries, waitForReset } from '../../src/cluster/failover.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';

describe('e2e: the master is killed while a recovery is under way', function () {
  this.timeout(SCENARIO_MS_MAX + 30_000);

  it('the master node is reset too; the last node becomes master and recovers both services', async () => {
    const resources = [
      { sid: 'vm:101', node: 'node1' },
      { sid: 'vm:102', node: 'node2' },
    ];
    await withCluster({ resources, firstMaster: 'node2' }, async (cluster) => {
      await waitForPlacement(cluster, { 'vm:101': 'node1', 'vm:102': 'node2' }, 30_000);
      const cutWallMs = Date.now();
      cluster.cut('node1');
      const status = new DirStatusStore(cluster.sharedDir);
      await pollUntil('the master to start fencing node1', 20_000, () => {
        const read = status.readManagerStatus();
        return read.kind === 'ok' && read.value.serviceStatus['vm:101']?.state === 'fence';
      });
      const killWallMs = Date.now();
      cluster.process('node2', 'crm')!.signal('SIGKILL');
      await waitForReset(cluster, 'node2', killWallMs, 15_000);
      const recoveries = await waitForRecoveries(cluster, { sids: ['vm:101', 'vm:102'], from: 'node1', lostNodes: ['node1', 'node2'], sinceWallMs: cutWallMs, timeoutMs: 40_000 });
      assert.deepEqual(recoveries.map((recovery) => recovery.to), ['node3', 'node3']);
      const read = status.readManagerStatus();
      assert.equal(read.kind === 'ok' ? read.value.masterNode : undefined, 'node3');
      assert.deepEqual(cluster.runningOn('vm:101'), ['node3']);
      assert.deepEqual(cluster.runningOn('vm:102'), ['node3']);
    });
  });
});
