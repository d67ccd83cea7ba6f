import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN_DIR, pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { concurrentScenarios, SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';

function haManager(cluster: LocalCluster, args: string[]): void {
  const result = spawnSync(process.execPath, [join(BIN_DIR, 'ha-manager'), ...args, '--dir', cluster.sharedDir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `ha-manager ${args.join(' ')}: ${result.stderr}`);
}

describe('e2e: ha-manager commands reach the daemons through the shared directory', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  concurrentScenarios({
    'resources.cfg as Proxmox writes it, no node lines: the master places each service, its LRM starts it, the node is recorded': async () => {
      await withCluster({ resources: [{ sid: 'vm:101', node: 'node1' }] }, async (cluster) => {
        await waitForPlacement(cluster, { 'vm:101': 'node1' }, 30_000);
        const file = join(cluster.sharedDir, 'resources.cfg');
        const proxmoxSections = 'vm: 102\n\tstate started\n\nct: 103\n\nvm: 104\n\tstate stopped\n\n';
        writeFileSync(`${file}.new`, `${readFileSync(file, 'utf8')}\n${proxmoxSections}`);
        renameSync(`${file}.new`, file);
        // In sid order, each counting for the next: ct:103 and vm:102 to the empty nodes, vm:104 (kept
        // stopped) to the least loaded then.
        await waitForPlacement(cluster, { 'vm:101': 'node1', 'ct:103': 'node2', 'vm:102': 'node3' }, 30_000);
        await pollUntil('the master to record the nodes in resources.cfg', 10_000, () => {
          const { resources } = loadHaConfig(cluster.sharedDir).config;
          return resources['ct:103']?.node === 'node2' && resources['vm:102']?.node === 'node3' && resources['vm:104']?.node === 'node1';
        });
        assert.match(readFileSync(file, 'utf8'), /^vm: 104\n\tnode node1\n\tstate stopped\n/m);
        assert.deepEqual(cluster.runningOn('vm:104'), []);
        const starts = cluster.ledger().filter((entry) => entry.event === 'start').map((entry) => `${entry.sid}@${entry.node}`).sort();
        assert.deepEqual(starts, ['ct:103@node2', 'vm:101@node1', 'vm:102@node3']);
      });
    },
    'migrate and relocate: the master takes the queued command, the LRM moves the service, the master records its node': async () => {
      const resources = [{ sid: 'vm:101', node: 'node1' }];
      await withCluster({ resources, firstMaster: 'node2' }, async (cluster) => {
        await waitForPlacement(cluster, { 'vm:101': 'node1' }, 30_000);
        haManager(cluster, ['migrate', 'vm:101', 'node3']);
        await waitForPlacement(cluster, { 'vm:101': 'node3' }, 40_000);
        // The LRM reports the migration; the master, seeing it end, records the node in its status and
        // in resources.cfg (config first). A command accepted while the migration runs waits in the
        // service's record, and the manager round does not act on it once the migration is over.
        const status = new DirStatusStore(cluster.sharedDir);
        await pollUntil('the master to see vm:101 started on node3', 10_000, () => {
          const read = status.readManagerStatus();
          const service = read.kind === 'ok' ? read.value.serviceStatus.get('vm:101') : undefined;
          return service?.state === 'started' && service.node === 'node3';
        });
        assert.equal(loadHaConfig(cluster.sharedDir).config.resources['vm:101']?.node, 'node3', 'the master wrote resources.cfg before its status');
        haManager(cluster, ['relocate', 'vm:101', 'node2']);
        await waitForPlacement(cluster, { 'vm:101': 'node2' }, 40_000);
        const nodes = cluster.ledger().filter((entry) => entry.event === 'start').map((entry) => entry.node);
        assert.deepEqual(nodes, ['node1', 'node3', 'node2']);
        assert.deepEqual(cluster.resets(), []);
      });
    },
  });
});
