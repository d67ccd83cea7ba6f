import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { EmulatedBmc } from '../../src/cluster/emulated-bmc.ts';
import { waitForPlacement, waitForRecoveries } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { killNode } from '../../src/cluster/node-kill.ts';
import { deriveTiming } from '../../src/common/timing.ts';
import { SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';
import { crmEvents, fenceAcks, fenceResults, filesContaining, freeUdpPort, optionWords, writeFenceCfg } from './fence-e2e.ts';

/**
 * fence_timeout 30 s (rounds of 1.5 s): the lease path cannot recover node2's service before 30 s
 * after the cut, so a recovery well before that is the agent path's (and the trace says so).
 */
const TIMING = deriveTiming(30_000);
const RECOVERY_MS_MAX = 60_000;

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
        writeFenceCfg(cluster, [`device ipmi fence_ipmilan ${optionWords(bmc.fenceOptions())}`, 'connect ipmi node=node2']);
        await cluster.startAll({ firstMaster: 'node1' });
        await waitForPlacement(cluster, { 'vm:101': 'node2' }, RECOVERY_MS_MAX);
        const cutWallMs = Date.now();
        cluster.cut('node2');
        const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node2', sinceWallMs: cutWallMs, timeoutMs: RECOVERY_MS_MAX });
        assert.ok(recovery !== undefined && recovery.to !== 'node2');
        console.log(`      recovered on ${recovery.to} ${recovery.afterMs} ms after the cut (fence_timeout ${TIMING.leaseTimeoutMs} ms)`);
        assert.ok(recovery.afterMs < TIMING.leaseTimeoutMs, `recovered after ${recovery.afterMs} ms: not before the lease path could`);
        assert.deepEqual(fenceAcks(cluster, 'node1', 'node2'), ['agent']);
        assert.equal(powerLog[0], 'off');
        assert.ok(cluster.resets().some((reset) => reset.node === 'node2' && reset.reason === 'powered off by its BMC'));
        cluster.heal('node2');
      } finally {
        await bmc.stop();
      }
    });
  });

  it('every level fails (a BMC that does not answer, then a PDU whose fence_dummy fails): no fence is taken as proof, the lease path recovers after fence_timeout', async () => {
    await withCluster({ resources: [{ sid: 'vm:101', node: 'node2' }], firstMaster: 'node1', start: false, timing: TIMING }, async (cluster) => {
      // Nothing listens on the port; power_timeout=3 makes each fence_ipmilan call fail after ~3.5 s instead of 20 s.
      // fence_dummy type=fail never reads its outlet off: it fails after power_timeout=2 polls.
      writeFenceCfg(cluster, [
        `device ipmi fence_ipmilan ip=127.0.0.1 ipport=${await freeUdpPort()} username=admin password=Unanswered-1 lanplus cipher=3 power_timeout=3`,
        'connect ipmi node=node2',
        'device pdu fence_dummy type=fail power_timeout=2',
        'connect pdu node=node2 plug=2',
      ]);
      await cluster.startAll({ firstMaster: 'node1' });
      await waitForPlacement(cluster, { 'vm:101': 'node2' }, RECOVERY_MS_MAX);
      const cutWallMs = Date.now();
      cluster.cut('node2');
      const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node2', sinceWallMs: cutWallMs, timeoutMs: RECOVERY_MS_MAX });
      assert.ok(recovery !== undefined && recovery.to !== 'node2');
      const results = fenceResults(cluster, 'node1', 'node2');
      console.log(`      recovered on ${recovery.to} ${recovery.afterMs} ms after the cut (fence_timeout ${TIMING.leaseTimeoutMs} ms); fence results: ${results.join(', ')}`);
      assert.ok(recovery.afterMs >= TIMING.leaseTimeoutMs, `recovered after ${recovery.afterMs} ms: before the lease path could, on failed fences`);
      assert.deepEqual(fenceAcks(cluster, 'node1', 'node2'), ['reset']);
      assert.ok(crmEvents(cluster, 'node1', 'lock').some((event) => event.lock === 'agent.node2'), 'the master took node2\'s lease (the trace says so: watchdog-none.test.ts relies on it)');
      assert.ok(results.includes('1 off failed') && results.includes('2 off failed'), 'both levels failed in the master\'s trace');
      assert.ok(results.every((result) => result.endsWith(' failed')), 'no fence succeeded');
      const failures = crmEvents(cluster, 'node1', 'fence-result').map((event) => JSON.stringify(event));
      assert.equal(failures.join('\n').includes('Unanswered-1'), false, 'no password in the trace');
      assert.deepEqual(filesContaining(cluster, 'Unanswered-1', ['shared/fence.cfg']), [], 'the password only in fence.cfg');
      cluster.heal('node2');
    });
  });
});
