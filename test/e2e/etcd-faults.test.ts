import { strict as assert } from 'node:assert';
import { FAST_TIMING } from '../../src/cluster/cluster-config.ts';
import { waitForPlacement } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { resetRevealMs } from '../../src/cluster/swarm/swarm-plan.ts';
import { cutNodeIsResetAndRecovered } from './cut-node-scenario.ts';
import { etcdScenarios, sleep, withCluster } from './e2e-cluster.ts';

const RECOVERY_MS_MAX = 30_000;
const PLACEMENT = { 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' };
const RESOURCES = Object.entries(PLACEMENT).map(([sid, node]) => ({ sid, node }));

/** Ledger starts after `sinceWallMs`: a failover or a restart of a service. */
function startsSince(cluster: LocalCluster, sinceWallMs: number): string[] {
  return cluster.ledger().filter((entry) => entry.event === 'start' && entry.wallMs >= sinceWallMs).map((entry) => `${entry.sid}@${entry.node}`);
}

etcdScenarios('e2e on etcd: a node cut from etcd, the etcd leader killed', {
  'a node cut from etcd (its proxies refuse) is reset by its watchdog, its service recovered, and back it says why it was fenced': () => cutNodeIsResetAndRecovered('etcd'),

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
