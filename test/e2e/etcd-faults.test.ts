import { strict as assert } from 'node:assert';
import { FAST_TIMING } from '../../src/cluster/cluster-config.ts';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForRecoveries, waitForReset } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { resetRevealMs } from '../../src/cluster/swarm/swarm-plan.ts';
import { etcdScenarios, sleep, withCluster } from './e2e-cluster.ts';

const RECOVERY_MS_MAX = 30_000;
const PLACEMENT = { 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' };
const RESOURCES = Object.entries(PLACEMENT).map(([sid, node]) => ({ sid, node }));

/** Ledger starts after `sinceWallMs`: a failover or a restart of a service. */
function startsSince(cluster: LocalCluster, sinceWallMs: number): string[] {
  return cluster.ledger().filter((entry) => entry.event === 'start' && entry.wallMs >= sinceWallMs).map((entry) => `${entry.sid}@${entry.node}`);
}

etcdScenarios('e2e on etcd: a node cut from etcd, the etcd leader killed', {
  'a node cut from etcd (its proxies refuse) is reset by its watchdog, its service recovered, and back it says why it was fenced': async () => {
    await withCluster({ resources: RESOURCES, firstMaster: 'node2', store: 'etcd' }, async (cluster) => {
      await waitForPlacement(cluster, PLACEMENT, RECOVERY_MS_MAX);
      const cutWallMs = Date.now();
      cluster.cut('node1');
      const resetWallMs = await waitForReset(cluster, 'node1', cutWallMs, 15_000);
      const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node1', sinceWallMs: cutWallMs, timeoutMs: RECOVERY_MS_MAX });
      assert.ok(recovery);
      assert.ok(cutWallMs + recovery.afterMs >= resetWallMs, 'recovered only after the reset');
      assert.deepEqual(cluster.resets().map((reset) => reset.node), ['node1'], 'only the cut node was reset');
      cluster.heal('node1');
      await cluster.startNode('node1');
      let reason = '';
      await pollUntil('node1 to publish its fenced record', 15_000, () => {
        const read = cluster.store.status.readFencedRecord('node1');
        reason = read.kind === 'ok' && read.value.wallMs >= cutWallMs ? read.value.reason : '';
        return reason !== '';
      });
      assert.match(reason, /reset by its \(emulated\) watchdog/);
      assert.match(reason, /last problem: renew-failed: agent\.node1/, 'the black box saw the failing renewals');
    });
  },

  'the etcd leader killed: a new leader, no node reset, no failover, every LRM renews on': async () => {
    await withCluster({ resources: RESOURCES, firstMaster: 'node1', store: 'etcd' }, async (cluster) => {
      await waitForPlacement(cluster, PLACEMENT, RECOVERY_MS_MAX);
      const killWallMs = Date.now();
      const leader = await cluster.etcd.killLeader();
      assert.ok(leader, 'a member led');
      // A reset the kill caused would come within the client and device timeouts of the last keepalive.
      await sleep(resetRevealMs(FAST_TIMING) + 3 * FAST_TIMING.roundMs);
      const newLeader = await cluster.etcd.leader();
      assert.ok(newLeader !== undefined && newLeader !== leader, 'another member leads');
      assert.deepEqual(cluster.resets(), [], 'no node was reset');
      assert.deepEqual(startsSince(cluster, killWallMs), [], 'no service started anywhere: no failover');
      for (const [sid, node] of Object.entries(PLACEMENT)) assert.deepEqual(cluster.runningOn(sid), [node], `${sid} still runs on ${node} alone`);
      for (const node of cluster.spec.nodes) {
        const read = cluster.store.status.readLrmStatus(node);
        assert.ok(read.kind === 'ok' && read.value.timestampMs > killWallMs + resetRevealMs(FAST_TIMING), `the LRM of ${node} published its status after the election`);
      }
      await cluster.etcd.restartMember(leader);
    });
  },
});
