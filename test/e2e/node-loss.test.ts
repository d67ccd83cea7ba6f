import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForRecoveries, waitForReset } from '../../src/cluster/failover.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { parsePidFile } from '../../src/resources/process-identity.ts';
import { concurrentScenarios, SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';

const RESOURCES = [
  { sid: 'vm:101', node: 'node1' },
  { sid: 'vm:102', node: 'node3' },
];
const PLACEMENT = { 'vm:101': 'node1', 'vm:102': 'node3' };
/** Fast profile: a lost client is noticed within 5 s, the device resets 2 s later; slack for load. */
const RESET_MS_MAX = 15_000;
const RECOVERY_MS_MAX = 30_000;

/** Loses node1 (which runs vm:101, node2 is master) by `fault`; checks reset, recovery, and no overlap. */
async function loseNode1(fault: (cluster: LocalCluster) => void): Promise<void> {
  await withCluster({ resources: RESOURCES, firstMaster: 'node2' }, async (cluster) => {
    await waitForPlacement(cluster, PLACEMENT, RECOVERY_MS_MAX);
    const faultWallMs = Date.now();
    fault(cluster);
    await waitForReset(cluster, 'node1', faultWallMs, RESET_MS_MAX);
    assert.deepEqual(cluster.runningOn('vm:101'), [], 'the reset killed the service on node1');
    const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node1', sinceWallMs: faultWallMs, timeoutMs: RECOVERY_MS_MAX });
    assert.ok(recovery && recovery.to !== 'node1');
    assert.deepEqual(cluster.runningOn('vm:101'), [recovery.to]);
    assert.deepEqual(cluster.runningOn('vm:102'), ['node3'], 'the service of a healthy node was left alone');
    assert.equal(cluster.resets().filter((reset) => reset.node !== 'node1').length, 0, 'only node1 was reset');
  });
}

function servicePid(cluster: LocalCluster, node: string, sid: string): number {
  const text = readFileSync(join(cluster.nodeDir(node), 'pids', `service-${sid.replace(':', '.')}.pid`), 'utf8');
  const identity = parsePidFile(text);
  assert.ok(identity, `pid file of ${sid} on ${node}`);
  return identity.pid;
}

describe('e2e: a node is lost, the master too (real processes, emulated watchdog)', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  concurrentScenarios({
    'kill -9 of the LRM: the mux stops feeding, the node is reset, its service recovered elsewhere': () =>
      loseNode1((cluster) => cluster.process('node1', 'lrm')!.signal('SIGKILL')),
    'SIGSTOP of the whole node: its watchdog resets it, its service is recovered elsewhere': () =>
      loseNode1((cluster) => {
        const pid = servicePid(cluster, 'node1', 'vm:101');
        for (const daemon of ['crm', 'lrm', 'mux'] as const) cluster.process('node1', daemon)!.signal('SIGSTOP');
        process.kill(pid, 'SIGSTOP');
      }),
    'kill -9 of the watchdog mux: the device is no longer fed, the node is reset, its service recovered': () =>
      loseNode1((cluster) => cluster.process('node1', 'mux')!.signal('SIGKILL')),
    'the master is killed while a recovery is under way: its node is reset too; the last node becomes master and recovers both services': async () => {
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
          return read.kind === 'ok' && read.value.serviceStatus.get('vm:101')?.state === 'fence';
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
    },
  });
});
