import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN_DIR, pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { concurrentScenarios, SCENARIO_MS_MAX, startingOneAtATime, withCluster } from './e2e-cluster.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

function haManager(cluster: LocalCluster, args: string[]): string {
  const result = spawnSync(process.execPath, [join(BIN_DIR, 'ha-manager'), ...args, '--dir', cluster.sharedDir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `ha-manager ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

describe('e2e: ha-manager commands reach the daemons through the shared directory', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  concurrentScenarios({
    'resources.cfg and groups.cfg as Proxmox writes them (fixtures/configs/good/proxmox-full): config, status, a one-line set, then every started resource placed on a node its group allows and started': async () => {
      await withCluster({ resources: [], start: false }, async (cluster) => {
        const fixture = 'fixtures/configs/good/proxmox-full';
        const [resourcesFile, groupsFile] = ['resources.cfg', 'groups.cfg'].map((name) => join(cluster.sharedDir, name)) as [string, string];
        cpSync(fixture, cluster.sharedDir, { recursive: true });
        // The cluster's drivers from ha.cfg (right below the header: other sections may follow it).
        const haCfg = join(cluster.sharedDir, 'ha.cfg');
        writeFileSync(haCfg, readFileSync(haCfg, 'utf8').replace(/^ha: cluster\n/m, 'ha: cluster\n\tdrivers vm=sim,ct=sim\n'));
        assert.match(readFileSync(haCfg, 'utf8'), /\tdrivers vm=sim,ct=sim\n/);
        const listing = JSON.parse(haManager(cluster, ['config', '--output-format', 'json'])) as Array<{ sid: string; state: string; node?: string; group?: string }>;
        assert.deepEqual(
          listing.map(({ sid, state, node, group }) => `${sid} ${state} ${node ?? '-'} ${group ?? '-'}`),
          ['ct:200 started - only_23', 'ct:201 ignored - -', 'ct:202 stopped - prefer_node1', 'vm:100 started - prefer_node1', 'vm:101 started - only_23', 'vm:102 started - node3_first', 'vm:103 disabled - -', 'vm:104 started - -'],
        );
        assert.doesNotMatch(haManager(cluster, ['status']), /not loadable/);
        haManager(cluster, ['set', 'vm:103', '--state', 'stopped']);
        const original = readFileSync(join(fixture, 'resources.cfg'), 'utf8');
        const afterSet = original.replace('vm: 103\n\tstate disabled\n', 'vm: 103\n\tstate stopped\n');
        assert.notEqual(afterSet, original);
        assert.equal(readFileSync(resourcesFile, 'utf8'), afterSet, 'one line changed, every other byte kept');
        assert.equal(readFileSync(groupsFile, 'utf8'), readFileSync(join(fixture, 'groups.cfg'), 'utf8'));

        await startingOneAtATime(() => cluster.startAll());
        // Priorities decide vm:100 (node1 of prefer_node1) and vm:102 (node3 of node3_first); the
        // restricted only_23 keeps ct:200 and vm:101 on node2 or node3; vm:104 may go anywhere.
        const started = ['ct:200', 'vm:100', 'vm:101', 'vm:102', 'vm:104'];
        const allowed: Record<string, string[]> = { 'ct:200': ['node2', 'node3'], 'vm:100': ['node1'], 'vm:101': ['node2', 'node3'], 'vm:102': ['node3'], 'vm:104': ['node1', 'node2', 'node3'] };
        await pollUntil('every started resource to run on one node its group allows', 40_000, () =>
          started.every((sid) => cluster.runningOn(sid).length === 1 && allowed[sid]!.includes(cluster.runningOn(sid)[0]!)), 200);
        await pollUntil('the master to record the nodes in resources.cfg', 10_000, () => {
          const { resources } = loadHaConfig(new DirClusterStore(cluster.sharedDir)).config;
          return started.every((sid) => resources[sid]?.node === cluster.runningOn(sid)[0]);
        });
        const status = JSON.parse(haManager(cluster, ['status', '--output-format', 'json'])) as { services: Array<{ sid: string; state: string | null; node: string | null; lastFailure: string | null }> };
        for (const sid of started) {
          const service = status.services.find((entry) => entry.sid === sid);
          assert.deepEqual([service?.state, service?.node, service?.lastFailure], ['started', cluster.runningOn(sid)[0], null], sid);
        }
        const ran = new Set(cluster.ledger().filter((entry) => entry.event === 'start').map((entry) => entry.sid));
        assert.deepEqual([...ran].sort(), started, 'ignored, stopped and disabled resources never started');
        // The master added a node line to the sections it placed; nothing else changed in either file.
        assert.equal(readFileSync(resourcesFile, 'utf8').replace(/^\tnode node[123]\n/gm, ''), afterSet);
        assert.equal(readFileSync(groupsFile, 'utf8'), readFileSync(join(fixture, 'groups.cfg'), 'utf8'));
      });
    },
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
          const { resources } = loadHaConfig(new DirClusterStore(cluster.sharedDir)).config;
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
        assert.equal(loadHaConfig(new DirClusterStore(cluster.sharedDir)).config.resources['vm:101']?.node, 'node3', 'the master wrote resources.cfg before its status');
        haManager(cluster, ['relocate', 'vm:101', 'node2']);
        await waitForPlacement(cluster, { 'vm:101': 'node2' }, 40_000);
        const nodes = cluster.ledger().filter((entry) => entry.event === 'start').map((entry) => entry.node);
        assert.deepEqual(nodes, ['node1', 'node3', 'node2']);
        assert.deepEqual(cluster.resets(), []);
      });
    },
  });
});
