import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN_DIR, pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { concurrentScenarios, SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';

function haManager(cluster: LocalCluster, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(BIN_DIR, 'ha-manager'), ...args, '--dir', cluster.sharedDir], { encoding: 'utf8', timeout: 60_000 });
}

describe('e2e: HA rules in rules.cfg steer the real daemons', function () {
  this.timeout(2 * SCENARIO_MS_MAX);

  concurrentScenarios({
    'a negative rule separates two services, a strict node-affinity rule pins one, a move onto its negative partner is refused': async () => {
      const resources = [
        { sid: 'vm:101', node: 'node1' },
        { sid: 'vm:102', node: 'node1' },
      ];
      await withCluster({ resources }, async (cluster) => {
        await waitForPlacement(cluster, { 'vm:101': 'node1', 'vm:102': 'node1' }, 30_000);
        assert.equal(haManager(cluster, ['rules', 'add', 'resource-affinity', 'apart', '--resources', 'vm:101,vm:102', '--affinity', 'negative']).status, 0);
        await pollUntil('vm:101 and vm:102 to run on two nodes', 40_000, () => {
          const [a, b] = [cluster.runningOn('vm:101'), cluster.runningOn('vm:102')];
          return a.length === 1 && b.length === 1 && a[0] !== b[0];
        });
        // Both left node1: the first by sid for the least loaded node, the other away from both ends of its move.
        const away = cluster.runningOn('vm:102')[0]!;
        assert.equal(haManager(cluster, ['rules', 'add', 'node-affinity', 'pin', '--resources', 'vm:101', '--nodes', 'node1', '--strict']).status, 0);
        await pollUntil('vm:101 back on node1, pinned there', 40_000, () => cluster.runningOn('vm:101').join() === 'node1');
        // The master must have seen the move end: while vm:101 is still `migrate` towards node1, a move of
        // vm:102 there is accepted, as in the reference (README-5.2 §6.5 checks the partner's node).
        await pollUntil('the master to record vm:101 started on node1', 20_000, () => /service vm:101 \(node1, started\)/.test(haManager(cluster, ['status']).stdout));
        assert.equal(haManager(cluster, ['migrate', 'vm:102', 'node1']).status, 0, 'the CLI queues it: only the master knows where the partner is');
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        assert.deepEqual(cluster.runningOn('vm:102'), [away], 'the master refused the move onto the negative partner');
        const config = haManager(cluster, ['rules', 'config']);
        assert.match(config.stdout, /resource-affinity: apart\n\tresources vm:101,vm:102\n\taffinity negative\n\t# in use/);
        assert.equal(readFileSync(join(cluster.sharedDir, 'rules.cfg'), 'utf8'), 'resource-affinity: apart\n\taffinity negative\n\tresources vm:101,vm:102\n\nnode-affinity: pin\n\tnodes node1\n\tresources vm:101\n\tstrict 1\n\n');
        assert.deepEqual(cluster.resets(), []);
      });
    },
  });
});
