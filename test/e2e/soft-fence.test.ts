import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { deriveTiming } from '../../src/common/timing.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { SCENARIO_MS_MAX, sleep, withCluster } from './e2e-cluster.ts';
import { crmEvents, fenceResults, LrmRestarter, optionWords, startPdus, writeFenceCfg } from './fence-e2e.ts';

/**
 * fence_timeout 30 s with rounds of 1 s: the watchdog client timeout is 19 s (device 5 s), so the
 * restarted LRM must claim the registration within 19 s of the stopped one's last keepalive. The
 * way there: 3 silent rounds until the master sees node2 lost and asks for the soft fence (3-4 s),
 * the proxy's next round (≤ 1 s), the restart (the new LRM's start, 1.5-3 s here, once over 8 s at
 * load averages of 15-30: e2e-cluster.ts). The soft grace is the fence delay's 15 s (the master
 * holds the hard fence no longer than that).
 */
const TIMING = deriveTiming(30_000, { roundMs: 1_000 });
const SOFT_GRACE_S = 15;
const STEP_MS_MAX = 45_000;

function muxLog(cluster: LocalCluster, node: string): string {
  return readFileSync(join(cluster.localDir(node), 'mux.log'), 'utf8');
}

function managerView(cluster: LocalCluster): { node2?: string | undefined; vm101?: string | undefined } {
  const read = new DirStatusStore(cluster.sharedDir).readManagerStatus();
  if (read.kind !== 'ok') return {};
  return { node2: read.value.nodeStatus['node2'], vm101: read.value.serviceStatus.get('vm:101')?.state };
}

describe('e2e: soft fencing (the proxy restarts a hung ha-lrm; the node is kept)', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  it('node2\'s LRM stopped (SIGSTOP): the master asks for the soft fence, the proxy restarts the LRM, the new one claims the armed registration → node kept, no reset, the service never moved, no hard fence', async () => {
    await withCluster({ resources: [{ sid: 'vm:101', node: 'node2' }], firstMaster: 'node1', start: false, timing: TIMING }, async (cluster) => {
      const powerLog: string[] = [];
      const pdus = startPdus(cluster, 'node2', ['pdu'], powerLog);
      const restarter = new LrmRestarter(cluster);
      try {
        writeFenceCfg(cluster, [
          `device pdu fence_dummy ${optionWords(pdus.fenceOptions('pdu'))}`,
          'connect pdu node=node2 plug=1',
          `node node2 soft_check=true soft_fence="${restarter.command('node2')}" soft_grace=${SOFT_GRACE_S}`,
        ]);
        await cluster.startAll({ firstMaster: 'node1' });
        await waitForPlacement(cluster, { 'vm:101': 'node2' }, STEP_MS_MAX);
        // The service writes its pid file before its ledger line: wait for the line.
        const events = () => cluster.ledger().filter((entry) => entry.sid === 'vm:101').map((entry) => `${entry.event} ${entry.node} ${entry.pid}`);
        await pollUntil('the start of vm:101 in the ledger', STEP_MS_MAX, () => events().length > 0, 100);
        const startedOnce = events();
        assert.equal(startedOnce.length, 1, startedOnce.join(', '));
        const old = cluster.process('node2', 'lrm')!;
        const stopWallMs = Date.now();
        old.signal('SIGSTOP');

        await pollUntil('the proxy to restart the LRM of node2', STEP_MS_MAX, () => restarter.restarts.length > 0, 100);
        const fresh = cluster.process('node2', 'lrm')!;
        const claimed = new RegExp(`lrm \\(pid ${fresh.pid}\\) claimed the registration of pid ${old.pid}: last keepalive (\\d+) ms ago, deadline in (-?\\d+) ms`);
        await pollUntil('the new LRM to claim the registration', STEP_MS_MAX, () => {
          if (!fresh.isRunning) throw new Error(`The new LRM of node2 exited: ${cluster.logTail('node2', 'lrm')}`);
          return claimed.test(muxLog(cluster, 'node2'));
        }, 100);
        const claimWallMs = Date.now();
        await pollUntil('node2 online again with vm:101 started', STEP_MS_MAX, () => {
          const view = managerView(cluster);
          return view.node2 === 'online' && view.vm101 === 'started';
        }, 100);
        const [, keepaliveAgeMs, deadlineInMs] = claimed.exec(muxLog(cluster, 'node2'))!;
        const requestedAt = crmEvents(cluster, 'node1', 'fence-request').find((event) => event.target === 'node2')?.t ?? NaN;
        console.log(`      stop → soft fence asked ${requestedAt - stopWallMs} ms → LRM restarted ${restarter.restarts[0]!.wallMs - stopWallMs} ms → claimed ≤ ${claimWallMs - stopWallMs} ms (last keepalive ${keepaliveAgeMs} ms before, deadline in ${deadlineInMs} ms; client timeout ${TIMING.watchdogClientTimeoutMs} ms)`);

        // Past the stopped LRM's deadline (client + device timeout after its last keepalive), with slack.
        await sleep(Math.max(0, stopWallMs + TIMING.watchdogClientTimeoutMs + TIMING.watchdogDeviceTimeoutMs + 2_000 - Date.now()));
        assert.deepEqual(cluster.resets(), [], 'no node was reset');
        assert.deepEqual(cluster.runningOn('vm:101'), ['node2'], 'vm:101 runs on, on node2');
        assert.deepEqual(events(), startedOnce, 'vm:101 was never stopped or started again, here or elsewhere: the same process ran throughout');
        assert.deepEqual(managerView(cluster), { node2: 'online', vm101: 'started' });
        const requests = crmEvents(cluster, 'node1', 'fence-request').filter((event) => event.target === 'node2').map((event) => String(event.action));
        assert.deepEqual(requests, ['soft'], 'the soft fence only: no hard fence');
        assert.deepEqual(fenceResults(cluster, 'node1', 'node2'), ['1 soft ok']);
        assert.deepEqual(crmEvents(cluster, 'node1', 'fence').filter((event) => event.target === 'node2'), [], 'node2 never went to fence');
        assert.deepEqual(powerLog, [], 'the PDU never switched node2');
        assert.doesNotMatch(muxLog(cluster, 'node2'), /STOPPED/);
      } finally {
        await restarter.stop();
        await pdus.stop();
      }
    });
  });
});
