import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { executeRequest } from '../../src/resources/execute-request.ts';
import { findOverlaps, readOverlaps } from '../../src/resources/find-overlaps.ts';
import { OcfExit } from '../../src/resources/ocf-exit.ts';
import { isSameProcessAlive, parsePidFile, processStartTime } from '../../src/resources/process-identity.ts';
import type { ResourceDriver } from '../../src/resources/resource-driver.ts';
import { appendJsonLine, pidFileOf, readLedger, resetsFileOf } from '../../src/resources/sim-ledger.ts';
import { killRegisteredProcesses } from '../../src/watchdog/emulator/node-dir.ts';
import { describeDriverContract } from './driver-contract.ts';
import { NEVER_READY, simCluster } from './sim-harness.ts';

const CALL = { timeoutMs: 15_000 };

describeDriverContract('sim (ha-sim-service child processes)', () => {
  const cluster = simCluster();
  let driver: ResourceDriver = cluster.driver('node1');
  return {
    get driver() {
      return driver;
    },
    sid: 'vm:101',
    isRunning: () => {
      const path = pidFileOf(cluster.nodeDirOf('node1'), 'vm:101');
      const identity = existsSync(path) ? parsePidFile(readFileSync(path, 'utf8')) : undefined;
      return identity !== undefined && isSameProcessAlive(identity);
    },
    // Every service process the driver starts registers a pid file and writes a ledger line.
    commandCount: () => readLedger(cluster.ledgerDir).length + cluster.pidsOn('node1').length,
    hangStart: () => {
      driver = cluster.driver('node1', { serviceCommand: NEVER_READY });
    },
    cleanup: () => cluster.cleanup(),
  };
});

describe('SimDriver', () => {
  let cluster: ReturnType<typeof simCluster>;
  beforeEach(() => {
    cluster = simCluster();
  });
  afterEach(() => cluster.cleanup());

  it('runs a real process that registers its pid for the watchdog and records start and stop in the ledger', async () => {
    const driver = cluster.driver('node1');
    assert.equal((await driver.start('ct:200', CALL)).exit, OcfExit.success);
    const pidFile = pidFileOf(cluster.nodeDirOf('node1'), 'ct:200');
    const identity = parsePidFile(readFileSync(pidFile, 'utf8'))!;
    assert.equal(identity.startTime, processStartTime(identity.pid));
    assert.equal((await driver.stop('ct:200', CALL)).exit, OcfExit.success);
    assert.equal(existsSync(pidFile), false);
    const ledger = readLedger(cluster.ledgerDir);
    assert.deepEqual(ledger.map(({ node, sid, event, pid }) => ({ node, sid, event, pid })), [
      { node: 'node1', sid: 'ct:200', event: 'start', pid: identity.pid },
      { node: 'node1', sid: 'ct:200', event: 'stop', pid: identity.pid },
    ]);
    assert.ok(ledger[0]!.wallMs <= ledger[1]!.wallMs);
    assert.equal(typeof ledger[0]!.monoNs, 'number');
  });

  it('records a crash when it finds the process gone without a stop, and checks it as not running', async () => {
    const driver = cluster.driver('node1');
    await driver.start('vm:101', CALL);
    const [pid] = cluster.pidsOn('node1');
    process.kill(pid!, 'SIGKILL');
    await waitUntil(() => processStartTime(pid!) === undefined);
    assert.equal((await driver.check('vm:101', CALL)).exit, OcfExit.notRunning);
    assert.deepEqual(readLedger(cluster.ledgerDir).map((entry) => entry.event), ['start', 'crash']);
    assert.deepEqual(cluster.pidsOn('node1'), []);
  });

  it('migrates by stopping here and starting on the target, registered in the target\'s node folder; no overlap', async () => {
    const node1 = cluster.driver('node1');
    await node1.start('vm:101', CALL);
    const job = { sid: 'vm:101', uid: 'u1', request: 'migrate', target: 'node2' };
    assert.deepEqual(await executeRequest(node1, job, { configuredNode: 'node1', localNode: 'node1' }), { result: LrmResult.success, action: 'migrate' });
    assert.equal(cluster.pidsOn('node1').length, 0);
    assert.equal(cluster.pidsOn('node2').length, 1);
    assert.equal((await cluster.driver('node2').check('vm:101', CALL)).exit, OcfExit.success);
    const ledger = readLedger(cluster.ledgerDir);
    assert.deepEqual(ledger.map((entry) => `${entry.event}@${entry.node}`), ['start@node1', 'stop@node1', 'start@node2']);
    assert.deepEqual(findOverlaps(ledger, []), []);
  });

  it('is killed by the emulated watchdog on a node reset; the ledger then needs the reset record to show no overlap', async () => {
    await cluster.driver('node1').start('vm:101', CALL);
    const killed = killRegisteredProcesses(cluster.nodeDirOf('node1'));
    assert.equal(killed.length, 1);
    assert.match(killed[0]!, /^service-vm\.101:\d+$/);
    appendJsonLine(resetsFileOf(cluster.nodeDirOf('node1')), { wallMs: Date.now(), reason: 'watchdog' });
    await cluster.driver('node2').start('vm:101', CALL);
    const ledger = readLedger(cluster.ledgerDir);
    assert.deepEqual(ledger.map((entry) => `${entry.event}@${entry.node}`), ['start@node1', 'start@node2']);
    assert.deepEqual(readOverlaps(cluster.ledgerDir, cluster.nodeDirs), []);
    const withoutReset = findOverlaps(ledger, []);
    assert.deepEqual(withoutReset.map(({ sid, nodeA, nodeB, toMs }) => ({ sid, nodeA, nodeB, toMs })), [
      { sid: 'vm:101', nodeA: 'node1', nodeB: 'node2', toMs: Infinity },
    ]);
  });

  it('shows a split brain: the same service started on two nodes is an overlap', async () => {
    await cluster.driver('node1').start('vm:102', CALL);
    await cluster.driver('node2').start('vm:102', CALL);
    await cluster.driver('node1').stop('vm:102', CALL);
    const overlaps = readOverlaps(cluster.ledgerDir, cluster.nodeDirs);
    assert.equal(overlaps.length, 1);
    assert.equal(overlaps[0]!.nodeA, 'node1');
    assert.ok(Number.isFinite(overlaps[0]!.toMs));
  });

  it('reports a service program that cannot be run as not-installed, and one that dies early as an error', async () => {
    const missing = await cluster.driver('node1', { serviceCommand: ['/nonexistent/ha-sim-service'] }).start('vm:1', CALL);
    assert.equal(missing.exec, 'not-installed');
    const dying = await cluster.driver('node1', { serviceCommand: [process.execPath, '-e', 'process.exit(3)', '--'] }).start('vm:1', CALL);
    assert.deepEqual([dying.exec, dying.exit], ['done', OcfExit.error]);
    assert.match(dying.detail ?? '', /exited before ready: code 3/);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadlineMs) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
