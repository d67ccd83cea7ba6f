import { strict as assert } from 'node:assert';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForRecoveries } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import type { ShutdownPolicy } from '../../src/common/states.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { concurrentScenarios, LRM_RESTART_TIMING, SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';

const RESOURCES = [{ sid: 'vm:101', node: 'node1' }];
const MOVE_MS_MAX = 30_000;

/** Stops node1's LRM and CRM cleanly for a node shutdown or reboot, or an LRM restart; checks a clean exit. */
async function stopNode1(cluster: LocalCluster, kind: 'shutdown' | 'reboot' | 'restart'): Promise<number> {
  await waitForPlacement(cluster, { 'vm:101': 'node1' }, MOVE_MS_MAX);
  const stopWallMs = Date.now();
  cluster.requestShutdownKind('node1', kind);
  const lrm = cluster.process('node1', 'lrm')!;
  const crm = cluster.process('node1', 'crm')!;
  await Promise.all([lrm.stop(MOVE_MS_MAX), crm.stop(MOVE_MS_MAX)]);
  assert.deepEqual(lrm.exit, { code: 0, signal: null }, `LRM exit: ${cluster.logTail('node1', 'lrm')}`);
  assert.deepEqual(crm.exit, { code: 0, signal: null }, `CRM exit: ${cluster.logTail('node1', 'crm')}`);
  return stopWallMs;
}

function startsOf(cluster: LocalCluster, node: string): number {
  return cluster.ledger().filter((entry) => entry.sid === 'vm:101' && entry.node === node && entry.event === 'start').length;
}

function serviceState(cluster: LocalCluster, sid: string): string | undefined {
  const read = new DirStatusStore(cluster.sharedDir).readManagerStatus();
  return read.kind === 'ok' ? read.value.serviceStatus.get(sid)?.state : undefined;
}

async function movesAway(policy: ShutdownPolicy, kind: 'shutdown' | 'reboot'): Promise<void> {
  await withCluster({ resources: RESOURCES, shutdownPolicy: policy, firstMaster: 'node2' }, async (cluster) => {
    const stopWallMs = await stopNode1(cluster, kind);
    const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node1', sinceWallMs: stopWallMs, timeoutMs: MOVE_MS_MAX });
    assert.ok(recovery);
    assert.deepEqual(cluster.runningOn('vm:101'), [recovery.to]);
    assert.deepEqual(cluster.resets(), [], 'a clean shutdown resets nothing');
  });
}

describe('e2e: clean node shutdown under each shutdown policy', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  concurrentScenarios({
    'conditional, node shutdown: the LRM stops its service and leaves; the master recovers it elsewhere': async () => {
      await movesAway('conditional', 'shutdown');
    },

    'failover, node reboot: the service is stopped and recovered elsewhere (a reboot does not freeze)': async () => {
      await movesAway('failover', 'reboot');
    },

    'migrate, node shutdown: the node goes into maintenance and the master moves the service away first': async () => {
      await withCluster({ resources: RESOURCES, shutdownPolicy: 'migrate', firstMaster: 'node2' }, async (cluster) => {
        const stopWallMs = await stopNode1(cluster, 'shutdown');
        const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node1', sinceWallMs: stopWallMs, timeoutMs: 1_000 });
        assert.ok(recovery, 'moved before the LRM exited');
        const read = new DirStatusStore(cluster.sharedDir).readManagerStatus();
        assert.equal(read.kind === 'ok' ? read.value.nodeStatus.node1 : undefined, 'maintenance');
        assert.deepEqual(cluster.resets(), []);
      });
    },

    'freeze: an LRM restart leaves the service running, frozen; a node shutdown stops it, frozen in place; both thaw on node1': async () => {
      // An LRM restart must come back within the client timeout of its last keepalive (it hands its
      // watchdog registration over): the fast profile's 5 s is too short for a process start under load.
      await withCluster({ resources: RESOURCES, shutdownPolicy: 'freeze', firstMaster: 'node2', timing: LRM_RESTART_TIMING }, async (cluster) => {
        await stopNode1(cluster, 'restart');
        assert.deepEqual(cluster.runningOn('vm:101'), ['node1'], 'an LRM restart leaves the service running');
        await pollUntil('vm:101 to be frozen', 10_000, () => serviceState(cluster, 'vm:101') === 'freeze');
        await cluster.startNode('node1');
        await pollUntil('vm:101 to thaw', 20_000, () => serviceState(cluster, 'vm:101') === 'started');
        assert.equal(startsOf(cluster, 'node1'), 1, 'never restarted');
        await stopNode1(cluster, 'shutdown');
        assert.deepEqual(cluster.runningOn('vm:101'), [], 'a node shutdown stops it');
        assert.equal(serviceState(cluster, 'vm:101'), 'freeze');
        await new Promise((resolve) => setTimeout(resolve, 5_000)); // past the fence delay of the fast profile
        assert.equal(serviceState(cluster, 'vm:101'), 'freeze', 'frozen services are not recovered elsewhere');
        await cluster.startNode('node1');
        await pollUntil('vm:101 to run on node1 again', 20_000, () => cluster.runningOn('vm:101')[0] === 'node1');
        assert.equal(startsOf(cluster, 'node1'), 2);
        assert.equal(cluster.ledger().filter((entry) => entry.node !== 'node1').length, 0, 'never ran elsewhere');
        assert.deepEqual(cluster.resets(), []);
      });
    },
  });
});
