import { strict as assert } from 'node:assert';
import { FAST_TIMING } from '../../src/cluster/cluster-config.ts';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForReset } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { etcdScenarios, LRM_RESTART_TIMING, sleep, withCluster } from './e2e-cluster.ts';

const START_MS_MAX = 30_000;
/** The short loss: below the watchdog client timeout of LRM_RESTART_TIMING (20 s), as the issue asks. */
const SHORT_LOSS_MS = 10_000;
/** The long loss: beyond the fast profile's client and device timeouts (5 + 2 s) with room for a loaded machine. */
const LONG_LOSS_MS = 15_000;

/** Ledger starts after `sinceWallMs`: a failover or a restart of a service. */
function startsSince(cluster: LocalCluster, sinceWallMs: number): string[] {
  return cluster.ledger().filter((entry) => entry.event === 'start' && entry.wallMs >= sinceWallMs).map((entry) => `${entry.sid}@${entry.node}`);
}

etcdScenarios('e2e on etcd: the etcd majority lost', {
  [`lost for ${SHORT_LOSS_MS / 1000} s (less than the watchdog client timeout): no node reset, no failover, renewals resume`]: async () => {
    const placement = { 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' };
    const resources = Object.entries(placement).map(([sid, node]) => ({ sid, node }));
    await withCluster({ resources, firstMaster: 'node1', store: 'etcd', timing: LRM_RESTART_TIMING }, async (cluster) => {
      await waitForPlacement(cluster, placement, START_MS_MAX);
      const lostWallMs = Date.now();
      const down = await cluster.etcd.stopMajority();
      assert.equal(await cluster.etcd.leader(), undefined, 'no member leads: the majority is lost');
      await sleep(SHORT_LOSS_MS);
      await cluster.etcd.startMembers(down);
      const backWallMs = Date.now();
      await pollUntil('every LRM to publish its status again', 2 * LRM_RESTART_TIMING.leaseTimeoutMs, () =>
        cluster.spec.nodes.every((node) => {
          const read = cluster.store.status.readLrmStatus(node);
          return read.kind === 'ok' && read.value.timestampMs > backWallMs;
        }), 500);
      // A reset would come within the client and device timeouts of the last keepalive before the loss.
      const revealWallMs = lostWallMs + LRM_RESTART_TIMING.watchdogClientTimeoutMs + LRM_RESTART_TIMING.watchdogDeviceTimeoutMs + 2 * LRM_RESTART_TIMING.roundMs;
      await sleep(Math.max(0, revealWallMs - Date.now()));
      assert.deepEqual(cluster.resets(), [], 'no node was reset');
      assert.deepEqual(startsSince(cluster, lostWallMs), [], 'no service started anywhere: no failover');
      for (const [sid, node] of Object.entries(placement)) assert.deepEqual(cluster.runningOn(sid), [node], `${sid} still runs on ${node} alone`);
    });
  },

  [`lost for ${LONG_LOSS_MS / 1000} s (beyond it): the nodes with services self-fence, and nothing runs twice when it returns`]: async () => {
    const placement = { 'vm:101': 'node1', 'vm:102': 'node2' };
    const resources = Object.entries(placement).map(([sid, node]) => ({ sid, node }));
    // node1 is master and runs a service; node3 runs nothing and is no master: idle, it has no watchdog armed.
    await withCluster({ resources, firstMaster: 'node1', store: 'etcd' }, async (cluster) => {
      await waitForPlacement(cluster, placement, START_MS_MAX);
      const lostWallMs = Date.now();
      const down = await cluster.etcd.stopMajority();
      const resetBoundMs = LONG_LOSS_MS;
      await Promise.all(['node1', 'node2'].map((node) => waitForReset(cluster, node, lostWallMs, resetBoundMs)));
      await sleep(Math.max(0, lostWallMs + LONG_LOSS_MS - Date.now()));
      assert.deepEqual(cluster.resets().map((reset) => reset.node).sort(), ['node1', 'node2'], 'the active nodes were reset, the idle node3 not');
      for (const sid of Object.keys(placement)) assert.deepEqual(cluster.runningOn(sid), [], `${sid} runs nowhere while the store is lost`);
      await cluster.etcd.startMembers(down);
      // The reset nodes boot again, as a supervisor would start them.
      await Promise.all(['node1', 'node2'].map((node) => cluster.startNode(node)));
      await pollUntil('every service to run on one node again', 3 * FAST_TIMING.leaseTimeoutMs + START_MS_MAX, () =>
        Object.keys(placement).every((sid) => cluster.runningOn(sid).length === 1), 500);
      assert.ok(startsSince(cluster, lostWallMs).length >= 2, 'the services started again after the return');
    });
  },
});
