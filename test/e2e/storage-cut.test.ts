import { strict as assert } from 'node:assert';
import { waitForPlacement } from '../../src/cluster/failover.ts';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { cutNodeIsResetAndRecovered } from './cut-node-scenario.ts';
import { concurrentScenarios, SCENARIO_MS_MAX, sleep, withCluster } from './e2e-cluster.ts';

const RECOVERY_MS_MAX = 30_000;
const RESOURCES = [
  { sid: 'vm:101', node: 'node1' },
  { sid: 'vm:102', node: 'node2' },
];

describe('e2e: a node cut from the shared storage (its link to the shared directory points nowhere)', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  concurrentScenarios({
    'a node with services is reset by its watchdog, its service recovered, and back it says why it was fenced': () => cutNodeIsResetAndRecovered('dir'),

    'a node with no HA services loses the storage and is NOT reset': async () => {
      await withCluster({ resources: RESOURCES, firstMaster: 'node1' }, async (cluster) => {
        await waitForPlacement(cluster, { 'vm:101': 'node1', 'vm:102': 'node2' }, RECOVERY_MS_MAX);
        const cutWallMs = Date.now();
        cluster.cut('node3');
        // Longer than the lease timeout plus client and device timeouts of the fast profile (10 + 5 + 2 s).
        await sleep(18_000);
        assert.deepEqual(cluster.resets(), [], 'no node was reset');
        for (const daemon of ['crm', 'lrm', 'mux'] as const) assert.ok(cluster.process('node3', daemon)!.isRunning, `${daemon} of node3 still runs`);
        cluster.heal('node3');
        const status = new DirStatusStore(cluster.sharedDir);
        await pollUntil('node3 to publish its LRM status again', 10_000, () => {
          const read = status.readLrmStatus('node3');
          return read.kind === 'ok' && read.value.timestampMs > cutWallMs + 18_000;
        });
        assert.deepEqual(cluster.runningOn('vm:101'), ['node1']);
        assert.deepEqual(cluster.runningOn('vm:102'), ['node2']);
      });
    },
  });
});
