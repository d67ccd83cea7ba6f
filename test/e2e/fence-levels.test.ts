import { strict as assert } from 'node:assert';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForRecoveries } from '../../src/cluster/failover.ts';
import { deriveTiming } from '../../src/common/timing.ts';
import { SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';
import { crmEvents, fenceAcks, fenceResults, filesContaining, freeUdpPort, optionWords, startPdus, writeFenceCfg } from './fence-e2e.ts';

/**
 * fence_timeout 30 s with rounds of 1 s: the lease path cannot recover before 30 s after the cut, so
 * an earlier recovery is a fence level's; the cut node's own watchdog would reset it only after the
 * client and device timeouts (19 + 5 s), after the PDUs have.
 */
const TIMING = deriveTiming(30_000, { roundMs: 1_000 });
const RECOVERY_MS_MAX = 60_000;
const IPMI_PASSWORD = 'Level1-Secret-Pw';

describe('e2e: fence levels in order (real agents run by a proxy LRM)', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  it('level 1 IPMI to a BMC that does not answer fails, level 2 (two fence_dummy PDUs feeding node2) switches it off: recovered on the agent proof, no overlap, no password anywhere', async () => {
    await withCluster({ resources: [{ sid: 'vm:101', node: 'node2' }], firstMaster: 'node1', start: false, timing: TIMING }, async (cluster) => {
      const powerLog: string[] = [];
      const pdus = startPdus(cluster, 'node2', ['power:1', 'power:2'], powerLog);
      try {
        // Nothing listens on the IPMI port; power_timeout=3 fails each fence_ipmilan call after ~3.5 s instead of 20 s.
        writeFenceCfg(cluster, [
          `device ipmi fence_ipmilan ip=127.0.0.1 ipport=${await freeUdpPort()} username=admin password=${IPMI_PASSWORD} lanplus cipher=3 power_timeout=3 timeout=10`,
          'connect ipmi node=node2',
          `device power:1 fence_dummy ${optionWords(pdus.fenceOptions('power:1'))}`,
          `device power:2 fence_dummy ${optionWords(pdus.fenceOptions('power:2'))}`,
          'connect power:1 node=node2 plug=1',
          'connect power:2 node=node2 plug=1',
        ]);
        await cluster.startAll({ firstMaster: 'node1' });
        await waitForPlacement(cluster, { 'vm:101': 'node2' }, RECOVERY_MS_MAX);
        const cutWallMs = Date.now();
        cluster.cut('node2');
        const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node2', sinceWallMs: cutWallMs, timeoutMs: RECOVERY_MS_MAX });
        assert.ok(recovery !== undefined && recovery.to !== 'node2');
        const offWallMs = Number(powerLog.find((line) => line.startsWith('pdu off'))?.split(' ')[2]);
        const reset = cluster.resets().find((found) => found.node === 'node2' && found.reason === 'powered off by its PDUs');
        console.log(`      PDUs cut node2 ${offWallMs - cutWallMs} ms after the cut, dead at ${(reset?.wallMs ?? NaN) - cutWallMs} ms; recovered on ${recovery.to} at ${recovery.afterMs} ms (fence_timeout ${TIMING.leaseTimeoutMs} ms); the cutting outlet read off for ${pdus.holdDelaysMs.join(', ')} ms before it was held on`);
        assert.ok(recovery.afterMs < TIMING.leaseTimeoutMs, `recovered after ${recovery.afterMs} ms: not before the lease path could`);
        assert.ok(reset !== undefined && reset.wallMs <= cutWallMs + recovery.afterMs, 'node2 was dead before its service started elsewhere');
        const results = fenceResults(cluster, 'node1', 'node2');
        assert.deepEqual(results.slice(0, 2), ['1 off failed', '2 off ok'], `the master's fence results: ${results.join(', ')}`);
        assert.deepEqual(fenceAcks(cluster, 'node1', 'node2'), ['agent']);
        // The master asks for an on of level 2 once it holds node2's lease (fence_timeout after the cut): node2 boots (cut off, it waits for the storage).
        await waitForPowerOn(powerLog);
        const leaseTakenAtMs = crmEvents(cluster, 'node1', 'lock').find((event) => event.lock === 'agent.node2')?.t;
        const onAtMs = Number(powerLog.find((line) => line.startsWith('pdu on'))!.split(' ')[2]);
        assert.ok(leaseTakenAtMs !== undefined && leaseTakenAtMs <= onAtMs, 'node2 powered on only once the master held its lease');
        assert.deepEqual(powerLog.map((line) => line.split(' ').slice(0, 2).join(' ')), ['pdu off', 'pdu on']);
        assert.deepEqual(filesContaining(cluster, IPMI_PASSWORD, ['shared/fence.cfg']), [], 'the IPMI password only in fence.cfg');
        cluster.heal('node2');
      } finally {
        await pdus.stop();
      }
    });
  });
});

async function waitForPowerOn(powerLog: readonly string[]): Promise<void> {
  await pollUntil('the master to power node2 on again through its PDUs', RECOVERY_MS_MAX, () => powerLog.some((line) => line.startsWith('pdu on')), 100);
}
