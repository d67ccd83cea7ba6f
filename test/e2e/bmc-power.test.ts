import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { waitForPlacement, waitForRecoveries } from '../../src/cluster/failover.ts';
import { EmulatedBmc } from '../../src/cluster/emulated-bmc.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { processesUnder } from '../../src/cluster/host-processes.ts';
import { killNode } from '../../src/cluster/node-kill.ts';
import type { FenceLevel } from '../../src/fence/fence-config.ts';
import { FenceRunner } from '../../src/fence/fence-runner.ts';
import { SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';
import { freeUdpPort } from './fence-e2e.ts';

const RECOVERY_MS_MAX = 40_000;


/** node2's BMC, wired as a test or the demo wires it: off kills the node (the reset recorded), on boots it. */
async function bmcOf(cluster: LocalCluster, node: string, powerLog: string[]): Promise<EmulatedBmc> {
  return EmulatedBmc.start({
    node,
    dir: join(cluster.root, 'bmc', node),
    port: await freeUdpPort(),
    username: 'admin',
    password: 'Bmc-e2e-Pass',
    onPower: async (state) => {
      powerLog.push(`${state} ${Date.now()}`);
      if (state === 'off') await killNode(cluster, node, { isGraceful: false, reason: 'powered off by its BMC', isAlwaysRecorded: true });
      else await cluster.startNode(node);
    },
  });
}

describe('e2e: the real fence_ipmilan powers an emulated node off and on through its emulated BMC', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  it('off kills every process of node2 before the BMC reads off; its service is recovered, none overlaps; on boots node2 again', async () => {
    await withCluster({ resources: [{ sid: 'vm:101', node: 'node2' }], firstMaster: 'node1' }, async (cluster) => {
      await waitForPlacement(cluster, { 'vm:101': 'node2' }, RECOVERY_MS_MAX);
      const powerLog: string[] = [];
      const bmc = await bmcOf(cluster, 'node2', powerLog);
      try {
        const level: FenceLevel = { name: 'ipmi', steps: [{ deviceId: 'ipmi', agent: 'fence_ipmilan', options: bmc.fenceOptions(), timeoutS: 40 }], isKdump: false };
        const runner = new FenceRunner();
        const offWallMs = Date.now();
        const off = await runner.runLevel(level, 'off');
        assert.equal(off.ok, true, off.reason);
        assert.deepEqual(processesUnder(cluster.nodeDir('node2')).map((found) => found.args.join(' ')), [], 'nothing of node2 runs');
        assert.deepEqual(cluster.runningOn('vm:101'), []);
        const reset = cluster.resets().find((found) => found.node === 'node2');
        assert.ok(reset !== undefined, 'the power-off is recorded as a reset of node2');
        assert.ok(processesUnder(bmc.spec.dir).length > 0, 'the BMC survives its node');
        const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node2', sinceWallMs: offWallMs, timeoutMs: RECOVERY_MS_MAX });
        assert.ok(recovery !== undefined && recovery.to !== 'node2');
        const on = await runner.runLevel(level, 'on');
        assert.equal(on.ok, true, on.reason);
        assert.equal(bmc.power, 'on');
        await cluster.waitUntilRunning('node2', 'lrm');
        assert.deepEqual(powerLog.map((line) => line.split(' ')[0]), ['off', 'on']);
      } finally {
        await bmc.stop();
      }
    });
  });
});
