import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForRecoveries, waitForReset } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { concurrentScenarios, LRM_RESTART_TIMING, SCENARIO_MS_MAX, sleep, withCluster } from './e2e-cluster.ts';

const RESOURCES = [
  { sid: 'vm:101', node: 'node1' },
  { sid: 'vm:102', node: 'node2' },
];
const PLACEMENT = { 'vm:101': 'node1', 'vm:102': 'node2' };
/** A step: a restart, a thaw, a recovery (the lease of 25 s observed, then the master's rounds). */
const STEP_MS_MAX = 45_000;
/** Client timeout 20 s + device 2 s after the last keepalive (LRM_RESTART_TIMING); slack for a loaded machine. */
const RESET_MS_MAX = 35_000;
const SPEC = { resources: RESOURCES, firstMaster: 'node2', timing: LRM_RESTART_TIMING };

function serviceState(cluster: LocalCluster, sid: string): string | undefined {
  const read = new DirStatusStore(cluster.sharedDir).readManagerStatus();
  return read.kind === 'ok' ? read.value.serviceStatus.get(sid)?.state : undefined;
}

function muxLog(cluster: LocalCluster, node: string): string {
  return readFileSync(join(cluster.localDir(node), 'mux.log'), 'utf8');
}

/**
 * Restarts node1's LRM as systemd would (`systemctl restart ha-lrm`): the old one freezes vm:101,
 * which runs on, hands its watchdog registration over and exits cleanly; the new one starts at once.
 * Returns once the new LRM has claimed the registration (its log shares the old one's file, so the
 * mux's log tells when it registered).
 */
async function restartLrmOfNode1(cluster: LocalCluster): Promise<number> {
  await waitForPlacement(cluster, PLACEMENT, STEP_MS_MAX);
  const restartWallMs = Date.now();
  cluster.requestShutdownKind('node1', 'restart');
  const old = cluster.process('node1', 'lrm')!;
  await old.stop(STEP_MS_MAX);
  assert.deepEqual(old.exit, { code: 0, signal: null }, `old LRM exit: ${cluster.logTail('node1', 'lrm')}`);
  assert.match(muxLog(cluster, 'node1'), /lrm \(pid \d+\) handed its registration over to its next process/);
  assert.deepEqual(cluster.runningOn('vm:101'), ['node1'], 'the service runs on through the restart');
  const fresh = cluster.startDaemon('node1', 'lrm');
  await pollUntil('the new LRM to claim the registration', STEP_MS_MAX, () => {
    if (!fresh.isRunning) throw new Error(`The new LRM of node1 exited: ${cluster.logTail('node1', 'lrm')}`);
    return new RegExp(`lrm \\(pid ${fresh.pid}\\) claimed the registration of pid ${old.pid}`).test(muxLog(cluster, 'node1'));
  });
  return restartWallMs;
}

describe('e2e: LRM restart, the watchdog handed over to the next LRM (real processes, emulated watchdog)', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  concurrentScenarios({
    'an LRM restart, then at once a storage cut: the node is reset by its watchdog, its service recovered only after that': async () => {
      await withCluster(SPEC, async (cluster) => {
        const restartWallMs = await restartLrmOfNode1(cluster);
        // The moment of chaos seed 1006: the master thaws vm:101 as soon as the new LRM reports, and the
        // node is cut right then. Had the old LRM given the lease up, the master could take it at once.
        await pollUntil('vm:101 to thaw', STEP_MS_MAX, () => serviceState(cluster, 'vm:101') === 'started', 10);
        const cutWallMs = Date.now();
        cluster.cut('node1');
        // Normally the cut stops the renewals and the reset follows; on a machine so loaded that the new
        // LRM renewed only after the handed-over deadline, the reset comes first. Safe either way.
        const resetWallMs = await waitForReset(cluster, 'node1', restartWallMs, RESET_MS_MAX);
        const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node1', sinceWallMs: cutWallMs, timeoutMs: STEP_MS_MAX });
        assert.ok(recovery && recovery.to !== 'node1');
        assert.ok(cutWallMs + recovery.afterMs >= resetWallMs, `recovered at ${cutWallMs + recovery.afterMs}, before the reset at ${resetWallMs}`);
        assert.deepEqual(cluster.runningOn('vm:101'), [recovery.to]);
        assert.deepEqual(cluster.resets().map((reset) => reset.node), ['node1'], 'only node1 was reset');
      });
    },

    'an LRM restart without a fault resets nothing: the service ran on, and is no longer frozen': async () => {
      await withCluster(SPEC, async (cluster) => {
        await waitForPlacement(cluster, PLACEMENT, STEP_MS_MAX);
        const startsBefore = cluster.ledger().filter((entry) => entry.sid === 'vm:101' && entry.event === 'start').length;
        await restartLrmOfNode1(cluster);
        await pollUntil('vm:101 to thaw', STEP_MS_MAX, () => serviceState(cluster, 'vm:101') === 'started');
        // Past the client and device timeouts (20 + 2 s) after the hand-over.
        await sleep(23_000);
        assert.deepEqual(cluster.resets(), [], 'no node was reset');
        assert.deepEqual(cluster.runningOn('vm:101'), ['node1']);
        assert.equal(serviceState(cluster, 'vm:101'), 'started');
        const startsAfter = cluster.ledger().filter((entry) => entry.sid === 'vm:101' && entry.event === 'start').length;
        assert.equal(startsAfter, startsBefore, 'the service was never restarted');
        assert.doesNotMatch(muxLog(cluster, 'node1'), /STOPPED/);
      });
    },
  });
});
