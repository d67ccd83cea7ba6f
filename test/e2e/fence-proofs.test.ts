import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN_DIR, pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement, waitForRecoveries } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { deriveTiming } from '../../src/common/timing.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { SCENARIO_MS_MAX, withCluster } from './e2e-cluster.ts';
import { crmEvents, fenceAcks, fenceResults, freeUdpPort, haManager, optionWords, powerOff, startBmc, writeFenceCfg } from './fence-e2e.ts';

/**
 * fence_timeout 30 s with rounds of 1 s: the lease path cannot recover before 30 s after the node is
 * lost, so an earlier recovery is another proof's (and the trace names it).
 */
const TIMING = deriveTiming(30_000, { roundMs: 1_000 });
const RECOVERY_MS_MAX = 60_000;
/** fence_kdump's message: magic 0x1B302A40 and version 1, both 32-bit little-endian (STACK.md). */
const KDUMP_MAGIC = 0x1b302a40;
/** The crashed node's kdump kernel sends its message this often (fence_kdump_send's default is 10 s; a test has less time). */
const KDUMP_SEND_EVERY_MS = 500;
/** At most this many messages: one minute of a dump being written. */
const KDUMP_SENDS_MAX = 120;

/**
 * A crashed node's kdump kernel: sends fence_kdump's 8-byte message from the node's own address
 * (127.0.0.N, which fence.cfg's `nodename` names) to the fence_kdump port on this host, where the
 * proxy's fence_kdump listens.
 */
async function startKdumpSender(address: string, port: number): Promise<{ sent: () => number; stop: () => Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  const message = Buffer.alloc(8);
  message.writeUInt32LE(KDUMP_MAGIC, 0);
  message.writeUInt32LE(1, 4);
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= KDUMP_SENDS_MAX) return clearInterval(timer);
    sent += 1;
    socket.send(message, port, '127.0.0.1');
  }, KDUMP_SEND_EVERY_MS);
  return {
    sent: () => sent,
    stop: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

function nodeState(cluster: LocalCluster, node: string): string | undefined {
  const read = new DirStatusStore(cluster.sharedDir).readManagerStatus();
  return read.kind === 'ok' ? read.value.nodeStatus[node] : undefined;
}

describe('e2e: the kdump and operator proofs (real fence_kdump, real ha-manager fence-ack)', function () {
  this.timeout(3 * SCENARIO_MS_MAX);

  it('kdump: node2 crashes and its kdump kernel sends the message from 127.0.0.2 → proof kdump, recovered; the IPMI level after it never runs', async () => {
    await withCluster({ resources: [{ sid: 'vm:101', node: 'node2' }], firstMaster: 'node1', start: false, timing: TIMING }, async (cluster) => {
      const powerLog: string[] = [];
      const bmc = await startBmc(cluster, 'node2', 'Kdump-Bmc-Pw', powerLog);
      const kdumpPort = await freeUdpPort();
      try {
        // fence_kdump accepts the message only from the address `nodename` resolves to: the node's own loopback address.
        writeFenceCfg(cluster, [
          `device kdump fence_kdump ipport=${kdumpPort} timeout=20`,
          'connect kdump node=node2 nodename=127.0.0.2',
          `device ipmi fence_ipmilan ${optionWords(bmc.fenceOptions())}`,
          'connect ipmi node=node2',
        ]);
        await cluster.startAll({ firstMaster: 'node1' });
        await waitForPlacement(cluster, { 'vm:101': 'node2' }, RECOVERY_MS_MAX);
        // The crash: every process of node2 gone at once (its emulated watchdog too: no reset follows), recorded as the end of its services.
        const crashWallMs = Date.now();
        await powerOff(cluster, 'node2', 'crashed: its kdump kernel writes a dump');
        const sender = await startKdumpSender('127.0.0.2', kdumpPort);
        try {
          const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node2', sinceWallMs: crashWallMs, timeoutMs: RECOVERY_MS_MAX });
          assert.ok(recovery !== undefined && recovery.to !== 'node2');
          console.log(`      recovered on ${recovery.to} ${recovery.afterMs} ms after the crash (fence_timeout ${TIMING.leaseTimeoutMs} ms), ${sender.sent()} kdump messages sent`);
          assert.ok(recovery.afterMs < TIMING.leaseTimeoutMs, `recovered after ${recovery.afterMs} ms: not before the lease path could`);
        } finally {
          await sender.stop();
        }
        assert.deepEqual(fenceAcks(cluster, 'node1', 'node2'), ['kdump']);
        assert.deepEqual(fenceResults(cluster, 'node1', 'node2'), ['1 off ok']);
        const requests = crmEvents(cluster, 'node1', 'fence-request').filter((event) => event.target === 'node2').map((event) => `${Number(event.level) + 1} ${String(event.action)}`);
        assert.deepEqual(requests, ['1 off'], 'level 1 only, and no on: the node reboots itself once its dump is written');
        assert.deepEqual(powerLog, [], 'the BMC was never asked to switch node2');
        assert.equal(readFileSync(join(bmc.spec.dir, 'requests'), 'utf8'), '');
        assert.equal(bmc.power, 'on');
      } finally {
        await bmc.stop();
      }
    });
  });

  it('fence-ack: refused for a live node; node2 cut and powered off, the operator confirms it → proof operator, recovered before fence_timeout; the trace, the journal and status say who', async () => {
    await withCluster({ resources: [{ sid: 'vm:101', node: 'node2' }], firstMaster: 'node1', timing: TIMING }, async (cluster) => {
      await waitForPlacement(cluster, { 'vm:101': 'node2' }, RECOVERY_MS_MAX);
      const refused = haManager(cluster, ['fence-ack', 'node2', '--by', 'alice']);
      assert.notEqual(refused.status, 0, 'a fence-ack for a live node is refused');
      assert.match(refused.stderr, /node2 is online/);
      const lostWallMs = Date.now();
      cluster.cut('node2');
      // The operator finds node2 unreachable, and switches it off at its console.
      await powerOff(cluster, 'node2', 'switched off by the operator');
      await pollUntil('the master to see node2 lost', RECOVERY_MS_MAX, () => nodeState(cluster, 'node2') !== 'online', 100);
      const ack = haManager(cluster, ['fence-ack', 'node2', '--by', 'alice']);
      assert.equal(ack.status, 0, ack.stderr);
      assert.match(ack.stderr, /if it still runs them, they run twice/);
      const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node2', sinceWallMs: lostWallMs, timeoutMs: RECOVERY_MS_MAX });
      assert.ok(recovery !== undefined && recovery.to !== 'node2');
      console.log(`      recovered on ${recovery.to} ${recovery.afterMs} ms after node2 was lost (fence_timeout ${TIMING.leaseTimeoutMs} ms)`);
      assert.ok(recovery.afterMs < TIMING.leaseTimeoutMs, `recovered after ${recovery.afterMs} ms: not before the lease path could`);
      assert.deepEqual(fenceAcks(cluster, 'node1', 'node2'), ['operator by alice']);
      assert.match(haManager(cluster, ['status']).stdout, /last fence proof: operator \([^)]*: alice\)/);
      const journal = spawnSync(process.execPath, [join(BIN_DIR, 'ha-manager'), 'log', '--state-dir', join(cluster.localDir('node1'), 'state'), '--node', 'node1', '--lines', '0', '--output-format', 'json'], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(journal.status, 0, journal.stderr);
      assert.ok(journal.stdout.split('\n').some((line) => line.includes('fence-ack') && line.includes('alice') && line.includes('operator')), 'the master\'s journal records the confirmation and who gave it');
      cluster.heal('node2');
    });
  });
});
