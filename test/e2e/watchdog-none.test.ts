import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForRecoveries } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { FAST_TIMING } from '../../src/cluster/cluster-config.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { sharedPaths } from '../../src/store/shared-dir.ts';
import { SCENARIO_MS_MAX, sleep, withCluster } from './e2e-cluster.ts';
import { crmEvents, fenceAcks, fenceResults, freeUdpPort, optionWords, startBmc, writeFenceCfg } from './fence-e2e.ts';

/** The fast profile (fence_timeout 10 s, rounds of 1 s): here the lease path must never recover node2, however long it is lost. */
const TIMING = FAST_TIMING;
const RECOVERY_MS_MAX = 40_000;
/** Past fence_timeout after the cut, with slack for the master's rounds: a lease path would have recovered vm:101 by then. */
const LOST_MS = TIMING.leaseTimeoutMs + 5 * TIMING.roundMs;

function serviceState(cluster: LocalCluster, sid: string): string | undefined {
  const read = new DirStatusStore(cluster.sharedDir).readManagerStatus();
  return read.kind === 'ok' ? read.value.serviceStatus.get(sid)?.state : undefined;
}

describe('e2e: a node with watchdog none (no mux, no lease proof; recovered only on the agent proof)', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  it('node2 runs without a watchdog; cut off while its BMC is out of reach, it is never recovered (no lease take before the proof, past fence_timeout); once the BMC answers, IPMI powers it off → recovered on the agent proof, no overlap', async () => {
    await withCluster({ resources: [{ sid: 'vm:101', node: 'node2' }], firstMaster: 'node1', start: false, timing: TIMING, nodesWithoutWatchdog: ['node2'] }, async (cluster) => {
      const powerLog: string[] = [];
      const bmc = await startBmc(cluster, 'node2', 'Nowd-Bmc-Pw', powerLog);
      try {
        const wrongPort = { ...bmc.fenceOptions(), ipport: String(await freeUdpPort()), power_timeout: '3' };
        const fenceCfg = (options: Record<string, string>) => [`device ipmi fence_ipmilan ${optionWords(options)}`, 'connect ipmi node=node2', 'node node2 watchdog=none'];
        writeFenceCfg(cluster, fenceCfg(wrongPort));
        await cluster.startAll({ firstMaster: 'node1' });
        await waitForPlacement(cluster, { 'vm:101': 'node2' }, RECOVERY_MS_MAX);

        // Without a mux: none started, none registered with, and the LRM says so in its status.
        assert.equal(cluster.process('node2', 'mux'), undefined);
        assert.equal(existsSync(join(cluster.localDir('node2'), 'mux.sock')), false);
        const lrmStatus = JSON.parse(readFileSync(sharedPaths(cluster.sharedDir).lrmStatus('node2'), 'utf8')) as { watchdog?: string };
        assert.equal(lrmStatus.watchdog, 'none');
        assert.match(readFileSync(join(cluster.localDir('node2'), 'lrm.log'), 'utf8'), /runs WITHOUT a watchdog/);
        assert.equal(JSON.parse(readFileSync(sharedPaths(cluster.sharedDir).lrmStatus('node1'), 'utf8')).watchdog, undefined, 'node1 has its watchdog');

        const cutWallMs = Date.now();
        cluster.cut('node2');
        await sleep(LOST_MS);
        assert.deepEqual(cluster.runningOn('vm:101'), ['node2'], 'nothing reset node2: vm:101 runs on there');
        assert.deepEqual(cluster.ledger().filter((entry) => entry.sid === 'vm:101' && entry.node !== 'node2'), [], 'vm:101 was not recovered');
        assert.equal(serviceState(cluster, 'vm:101'), 'fence');
        assert.deepEqual(cluster.resets(), []);
        const failed = fenceResults(cluster, 'node1', 'node2');
        assert.ok(failed.length >= 1 && failed.every((result) => result === '1 off failed'), `the fences so far failed: ${failed.join(', ')}`);

        // The BMC is reachable again: the next pass's job reads the new fence.cfg.
        writeFenceCfg(cluster, fenceCfg(bmc.fenceOptions()));
        const fixedWallMs = Date.now();
        const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node2', sinceWallMs: cutWallMs, timeoutMs: RECOVERY_MS_MAX });
        assert.ok(recovery !== undefined && recovery.to !== 'node2');
        console.log(`      not recovered in ${fixedWallMs - cutWallMs} ms of failed fences (fence_timeout ${TIMING.leaseTimeoutMs} ms); BMC reachable → recovered on ${recovery.to} ${cutWallMs + recovery.afterMs - fixedWallMs} ms later`);
        assert.deepEqual(fenceAcks(cluster, 'node1', 'node2'), ['agent']);
        // Before the proof, never (a lease take proves nothing here); after it, the master takes the lease before it powers node2 on.
        const provedAtMs = crmEvents(cluster, 'node1', 'fence-ack').find((event) => event.target === 'node2')!.t;
        const earlyTakes = crmEvents(cluster, 'node1', 'lock').filter((event) => event.lock === 'agent.node2' && event.t <= provedAtMs);
        assert.deepEqual(earlyTakes, [], 'the master took node2\'s lease before the agent proof');
        assert.ok(cluster.resets().some((reset) => reset.node === 'node2' && reset.reason === 'powered off by its BMC'));
        await pollUntil('the master to power node2 on again', RECOVERY_MS_MAX, () => powerLog.some((line) => line.startsWith('bmc on')), 100);
        const leaseTakenAtMs = crmEvents(cluster, 'node1', 'lock').find((event) => event.lock === 'agent.node2')?.t;
        const onAtMs = Number(powerLog.find((line) => line.startsWith('bmc on'))!.split(' ')[2]);
        assert.ok(leaseTakenAtMs !== undefined && leaseTakenAtMs <= onAtMs, 'node2 powered on only once the master held its lease');
        cluster.heal('node2');
      } finally {
        await bmc.stop();
      }
    });
  });
});
