import { strict as assert } from 'node:assert';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatedBmc } from '../../src/cluster/emulated-bmc.ts';
import { waitForPlacement, waitForRecoveries } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { killNode } from '../../src/cluster/node-kill.ts';
import { deriveTiming } from '../../src/common/timing.ts';
import { SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';

/**
 * fence_timeout 30 s (rounds of 1.5 s): the lease path cannot recover node2's service before 30 s
 * after the cut, so a recovery well before that is the agent path's (and the trace says so).
 */
const TIMING = deriveTiming(30_000);
const RECOVERY_MS_MAX = 60_000;

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** The fence-ack events in a node's CRM log (JSON lines). */
function fenceAcks(cluster: LocalCluster, node: string): Array<{ target: string; proof?: string }> {
  return readFileSync(join(cluster.localDir(node), 'crm.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"ev":"fence-ack"'))
    .map((line) => JSON.parse(line) as { target: string; proof?: string });
}

describe('e2e: the master fences a lost node through its BMC (real fence_ipmilan run by a proxy LRM, emulated BMC)', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  it('node2 cut from the storage: powered off by IPMI and its service recovered long before fence_timeout, no overlap', async () => {
    await withCluster({ resources: [{ sid: 'vm:101', node: 'node2' }], firstMaster: 'node1', start: false, timing: TIMING }, async (cluster) => {
      const powerLog: string[] = [];
      const bmc = await EmulatedBmc.start({
        node: 'node2',
        dir: join(cluster.root, 'bmc', 'node2'),
        port: await freeUdpPort(),
        username: 'admin',
        password: 'Ipmi-e2e-Pass',
        onPower: async (state) => {
          powerLog.push(state);
          if (state === 'off') await killNode(cluster, 'node2', { isGraceful: false, reason: 'powered off by its BMC', isAlwaysRecorded: true });
          else await cluster.startNode('node2', { waitForRounds: false });
        },
      });
      try {
        const options = Object.entries(bmc.fenceOptions()).map(([key, value]) => (value === '' ? key : `${key}=${value}`));
        writeFileSync(join(cluster.sharedDir, 'fence.cfg'), `device ipmi fence_ipmilan ${options.join(' ')}\nconnect ipmi node=node2\n`, { mode: 0o600 });
        await cluster.startAll({ firstMaster: 'node1' });
        await waitForPlacement(cluster, { 'vm:101': 'node2' }, RECOVERY_MS_MAX);
        const cutWallMs = Date.now();
        cluster.cut('node2');
        const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node2', sinceWallMs: cutWallMs, timeoutMs: RECOVERY_MS_MAX });
        assert.ok(recovery !== undefined && recovery.to !== 'node2');
        console.log(`      recovered on ${recovery.to} ${recovery.afterMs} ms after the cut (fence_timeout ${TIMING.leaseTimeoutMs} ms)`);
        assert.ok(recovery.afterMs < TIMING.leaseTimeoutMs, `recovered after ${recovery.afterMs} ms: not before the lease path could`);
        assert.deepEqual(fenceAcks(cluster, 'node1').map((ack) => `${ack.target} ${ack.proof}`), ['node2 agent']);
        assert.equal(powerLog[0], 'off');
        assert.ok(cluster.resets().some((reset) => reset.node === 'node2' && reset.reason === 'powered off by its BMC'));
        cluster.heal('node2');
      } finally {
        await bmc.stop();
      }
    });
  });

  it('a BMC that does not answer: every pass fails, the fence is never taken as proof, the lease path recovers after fence_timeout', async () => {
    await withCluster({ resources: [{ sid: 'vm:101', node: 'node2' }], firstMaster: 'node1', start: false, timing: TIMING }, async (cluster) => {
      // Nothing listens on the port; power_timeout=3 makes each fence_ipmilan call fail after ~3.5 s instead of 20 s.
      const device = `device ipmi fence_ipmilan ip=127.0.0.1 ipport=${await freeUdpPort()} username=admin password=Unanswered-1 lanplus cipher=3 power_timeout=3`;
      writeFileSync(join(cluster.sharedDir, 'fence.cfg'), `${device}\nconnect ipmi node=node2\n`, { mode: 0o600 });
      await cluster.startAll({ firstMaster: 'node1' });
      await waitForPlacement(cluster, { 'vm:101': 'node2' }, RECOVERY_MS_MAX);
      const cutWallMs = Date.now();
      cluster.cut('node2');
      const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node2', sinceWallMs: cutWallMs, timeoutMs: RECOVERY_MS_MAX });
      assert.ok(recovery !== undefined && recovery.to !== 'node2');
      console.log(`      recovered on ${recovery.to} ${recovery.afterMs} ms after the cut (fence_timeout ${TIMING.leaseTimeoutMs} ms)`);
      assert.ok(recovery.afterMs >= TIMING.leaseTimeoutMs, `recovered after ${recovery.afterMs} ms: before the lease path could, on a failed fence`);
      assert.deepEqual(fenceAcks(cluster, 'node1').map((ack) => `${ack.target} ${ack.proof}`), ['node2 reset']);
      const failures = readFileSync(join(cluster.localDir('node1'), 'crm.log'), 'utf8').split('\n').filter((line) => line.includes('"ev":"fence-result"') && line.includes('"result":"failed"'));
      assert.ok(failures.length >= 1, 'the failed fence is in the master\'s trace');
      assert.equal(failures.join('\n').includes('Unanswered-1'), false, 'no password in the trace');
      cluster.heal('node2');
    });
  });
});
