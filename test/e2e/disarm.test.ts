import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FAST_FENCE_TIMEOUT_MS } from '../../src/cluster/cluster-config.ts';
import { BIN_DIR, pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForMaster, waitForPlacement } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import type { DisarmRequest } from '../../src/common/manager-status.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { SCENARIO_MS_MAX, sleep, withCluster } from './e2e-cluster.ts';

const NODES = ['node1', 'node2', 'node3'];
const PLACEMENT = { 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' };
const RESOURCES = Object.entries(PLACEMENT).map(([sid, node]) => ({ sid, node }));

function haManager(cluster: LocalCluster, args: string[]): string {
  const result = spawnSync(process.execPath, [join(BIN_DIR, 'ha-manager'), ...args, '--dir', cluster.sharedDir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `ha-manager ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The disarm request of the manager status as last saved (`armed` without one). */
function disarmOf(cluster: LocalCluster): DisarmRequest | 'armed' | undefined {
  const read = new DirStatusStore(cluster.sharedDir).readManagerStatus();
  return read.kind === 'ok' ? (read.value?.disarm ?? 'armed') : undefined;
}

function lrmModes(cluster: LocalCluster): string[] {
  const status = new DirStatusStore(cluster.sharedDir);
  return NODES.map((node) => {
    const read = status.readLrmStatus(node);
    return read.kind === 'ok' && read.value ? `${read.value.state}/${read.value.mode}` : '-';
  });
}

describe('e2e: a disarmed cluster (crm-command disarm-ha) loses the shared storage', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  it('disarm-ha freeze, the storage cut on every node for twice the fence timeout: no reset, nothing moved; arm-ha resumes', async () => {
    await withCluster({ resources: RESOURCES, firstMaster: 'node1' }, async (cluster) => {
      await waitForPlacement(cluster, PLACEMENT, 30_000);
      const startsBefore = cluster.ledger().filter((entry) => entry.event === 'start').length;
      haManager(cluster, ['crm-command', 'disarm-ha', 'freeze']);
      await pollUntil('the master to report the stack disarmed', 20_000, () => {
        const disarm = disarmOf(cluster);
        return disarm !== undefined && disarm !== 'armed' && disarm.state === 'disarmed';
      });
      assert.deepEqual(lrmModes(cluster), NODES.map(() => 'wait_for_agent_lock/disarm'), 'every LRM let go of its lease and watchdog');
      assert.match(haManager(cluster, ['status']), /^disarm disarmed \(freeze\)$/m);
      await pollUntil('the master to release its watchdog', 10_000, () => cluster.logTail('node1', 'crm', 400).includes('HA stack disarmed: releasing CRM watchdog'));
      const cutWallMs = Date.now();
      for (const node of NODES) cluster.cut(node);
      await sleep(2 * FAST_FENCE_TIMEOUT_MS);
      assert.deepEqual(cluster.resets(), [], 'no node was reset');
      for (const node of NODES) for (const daemon of ['crm', 'lrm', 'mux'] as const) assert.ok(cluster.process(node, daemon)!.isRunning, `${daemon} of ${node} still runs`);
      for (const [sid, node] of Object.entries(PLACEMENT)) assert.deepEqual(cluster.runningOn(sid), [node], `${sid} still runs where it was`);
      for (const node of NODES) cluster.heal(node);
      await pollUntil('a master to save the status again after the cut', 20_000, () => {
        const read = new DirStatusStore(cluster.sharedDir).readManagerStatus();
        return read.kind === 'ok' && (read.value?.timestampMs ?? 0) > cutWallMs + 2 * FAST_FENCE_TIMEOUT_MS;
      });
      assert.notEqual(disarmOf(cluster), 'armed', 'still disarmed after the cut, whichever node is master now');
      haManager(cluster, ['crm-command', 'arm-ha']);
      await pollUntil('the stack armed, every LRM active and every service started again', 30_000, () => {
        const read = new DirStatusStore(cluster.sharedDir).readManagerStatus();
        if (read.kind !== 'ok' || !read.value || read.value.disarm !== undefined) return false;
        const services = read.value.serviceStatus;
        return Object.keys(PLACEMENT).every((sid) => services.get(sid)?.state === 'started') && lrmModes(cluster).every((mode) => mode === 'active/active');
      });
      for (const [sid, node] of Object.entries(PLACEMENT)) assert.deepEqual(cluster.runningOn(sid), [node], `${sid} resumes where it was`);
      const master = await waitForMaster(cluster, 10_000);
      await pollUntil(`the master (${master}) to arm its watchdog again`, 10_000, () => cluster.logTail(master, 'crm', 400).includes('re-arming HA stack'));
      assert.deepEqual(cluster.resets(), []);
      const starts = cluster.ledger().filter((entry) => entry.event === 'start');
      assert.equal(starts.length, startsBefore, 'nothing was started anew: frozen services ran on through disarm and cut');
    });
  });
});
