import { strict as assert } from 'node:assert';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForRecoveries, waitForReset } from '../../src/cluster/failover.ts';
import type { LocalStoreKind } from '../../src/cluster/local-store.ts';
import { withCluster } from './e2e-cluster.ts';

const RECOVERY_MS_MAX = 30_000;
const PLACEMENT = { 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' };

/**
 * The one scenario of a node cut from the store, on either store (the symlink of the shared directory,
 * the TCP proxies of etcd): the cut node is reset by its watchdog and only it; its service is recovered
 * only after the reset; back, it publishes why it was fenced, naming the failed renewals.
 */
export async function cutNodeIsResetAndRecovered(store: LocalStoreKind): Promise<void> {
  const resources = Object.entries(PLACEMENT).map(([sid, node]) => ({ sid, node }));
  await withCluster({ resources, firstMaster: 'node2', store }, async (cluster) => {
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
    assert.match(reason, /last problem: renew-failed: agent\.node1(: store .+ unreachable| (unavailable|refused) in \d+ ms)/, 'the black box saw the failing renewals');
  });
}
