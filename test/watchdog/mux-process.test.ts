import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResets, registerProcess } from '../../src/watchdog/emulator/node-dir.ts';
import { WatchdogClient } from '../../src/watchdog/watchdog-client.ts';
import { EMULATOR_BIN, exitOf, killAll, MUX_BIN, sleepMs, start, until, type Started } from './processes.ts';

/**
 * A daemon's watchdog client as a process of its own, in plain protocol v2 bytes: hello, then a
 * keepalive every `everyMs` — so that a test can kill it with -9 (a close without V or H) or stop it.
 */
const CLIENT_SCRIPT = `
const [path, daemon, timeoutMs, everyMs] = process.argv.slice(1);
const socket = require('net').createConnection(path);
socket.on('data', (data) => process.stdout.write(data));
socket.write(JSON.stringify({ v: 2, daemon, timeoutMs: Number(timeoutMs), pid: process.pid, claim: false }) + '\\n' + 'k');
setInterval(() => socket.write('k'), Number(everyMs));
`;

describe('watchdog/ha-watchdog-mux with the emulated device (real processes, protocol v2)', function () {
  this.timeout(40_000);
  let dir: string;
  let nodeDir: string;
  let device: string;
  let socketPath: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-mux-process-'));
    nodeDir = join(dir, 'node1');
    device = join(dir, 'watchdog');
    socketPath = join(dir, 'run', 'mux.sock');
  });
  afterEach(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The emulator and the mux with the same device timeout (the mux reports its flag for an emulated device). */
  async function startWatchdog(deviceTimeoutS: string, extra: string[] = []): Promise<Started> {
    const emulator = start(EMULATOR_BIN, ['--device', device, '--node-dir', nodeDir, '--timeout', deviceTimeoutS]);
    await until(() => emulator.stdout.startsWith('ready'), 'the emulator');
    const mux = start(MUX_BIN, ['--device', device, '--emulated', '--socket', socketPath, '--node-dir', nodeDir, '--device-timeout', deviceTimeoutS, '--keepalive-interval', '0.1', ...extra]);
    await until(() => existsSync(socketPath) || mux.child.exitCode !== null, 'the mux socket');
    assert.equal(mux.child.exitCode, null, mux.stderr);
    return mux;
  }

  async function clientProcess(daemon: string, timeoutMs: number, everyMs: number): Promise<Started> {
    const client = start(process.execPath, ['-e', CLIENT_SCRIPT, socketPath, daemon, String(timeoutMs), String(everyMs)]);
    await until(() => client.stdout.includes('"accepted":true'), `the ${daemon} client process to register`);
    return client;
  }

  const watchdogClient = (daemon: string, timeoutMs: number) => new WatchdogClient({ socketPath, daemon, timeoutMs });

  it('says loudly that the device is emulated, reports its timeout to each hello, and keeps the node alive while its clients are fresh', async () => {
    // Timeouts of 3 s leave room for a test process slowed by whatever else runs on the machine.
    const mux = await startWatchdog('3');
    assert.match(mux.stderr, /WARNING: EMULATED watchdog device/);
    const lrm = watchdogClient('lrm', 3_000);
    assert.deepEqual(await lrm.register({ isClaiming: true }), { claimed: undefined, deviceTimeoutMs: 3_000, clientTimeoutMsMax: 300_000 });
    const crm = watchdogClient('crm', 2_000);
    lrm.open();
    crm.open();
    for (let index = 0; index < 20; index += 1) {
      await sleepMs(250);
      lrm.feed();
      crm.feed();
    }
    assert.deepEqual(readResets(nodeDir), []);
    assert.match(mux.stderr, /lrm \(pid \d+\) joined with a timeout of 3000 ms/);
    assert.match(mux.stderr, /crm \(pid \d+\) joined with a timeout of 2000 ms/);
    assert.doesNotMatch(mux.stderr, /silent|lost|STOPPED/);
    lrm.close();
    crm.close();
    await Promise.all([lrm.settled(), crm.settled()]);
  });

  it('a client killed with -9 leaves its registration armed: the next process claims it and keeps the node alive', async () => {
    const mux = await startWatchdog('2');
    const old = await clientProcess('lrm', 3_000, 200);
    await sleepMs(500);
    old.child.kill('SIGKILL');
    await until(() => mux.stderr.includes('went without V: its registration stays armed'), 'the detached registration');
    const successor = watchdogClient('lrm', 3_000);
    const registration = await successor.register({ isClaiming: true });
    assert.ok(registration.claimed !== undefined && registration.claimed.keepaliveAgeMs < 2_000, JSON.stringify(registration));
    for (let index = 0; index < 20; index += 1) {
      successor.feed();
      await sleepMs(250);
    }
    assert.deepEqual(readResets(nodeDir), [], 'fed by the successor past the old deadline: no reset');
    assert.match(mux.stderr, new RegExp(`lrm \\(pid ${process.pid}\\) claimed the registration of pid ${old.child.pid}: last keepalive \\d+ ms ago`));
    successor.close();
    await successor.settled();
  });

  it('a client killed with -9 and not claimed: the node is reset its timeout, then the device timeout, after its last keepalive', async () => {
    const mux = await startWatchdog('2');
    const daemon = start('sleep', ['60']);
    registerProcess(nodeDir, 'ha-lrm', daemon.child.pid);
    const client = await clientProcess('lrm', 1_500, 200);
    await sleepMs(300);
    const killedMs = Date.now();
    client.child.kill('SIGKILL');
    await until(() => readResets(nodeDir).length === 1, 'the reset');
    const elapsedMs = Date.now() - killedMs;
    assert.ok(elapsedMs >= 3_000 && elapsedMs < 9_000, `reset ${elapsedMs} ms after the kill (1.5 s + 2 s after the last keepalive)`);
    assert.match(mux.stderr, /WATCHDOG KEEPALIVES STOPPED.*lrm \(pid \d+, detached, timeout 1500 ms\) missed its deadline/);
    assert.equal((await exitOf(daemon)).signal, 'SIGKILL');
    assert.equal((await exitOf(mux)).signal, 'SIGKILL');
  });

  it('a hand-over (H): the registration waits, armed, for the next process to claim it', async () => {
    const mux = await startWatchdog('2');
    const old = watchdogClient('lrm', 3_000);
    old.open();
    await sleepMs(200);
    old.feed();
    old.handOver();
    await old.settled();
    await until(() => mux.stderr.includes('handed its registration over to its next process'), 'the hand-over');
    const successor = watchdogClient('lrm', 3_000);
    const registration = await successor.register({ isClaiming: true });
    assert.notEqual(registration.claimed, undefined);
    successor.feed();
    successor.close();
    await successor.settled();
    await until(() => mux.stderr.includes('left cleanly'), 'the clean leave');
    assert.deepEqual(readResets(nodeDir), []);
  });

  it('refuses a hello whose timeout is above the ceiling, with the numbers', async () => {
    await startWatchdog('2', ['--client-timeout-max', '5']);
    await assert.rejects(watchdogClient('lrm', 6_000).register({ isClaiming: true }), /refused: lrm \(pid \d+\) announces a timeout of 6000 ms, above this mux's ceiling of 5000 ms \(--client-timeout-max\)/);
  });

  it("each client's own timeout: the silent one with the shorter timeout gets the node reset, warned first", async () => {
    const mux = await startWatchdog('2');
    const lrm = watchdogClient('lrm', 20_000);
    lrm.open();
    const crm = watchdogClient('crm', 1_200);
    crm.open();
    const openedMs = Date.now();
    const feeding = setInterval(() => lrm.tryFeed(), 200);
    try {
      await until(() => readResets(nodeDir).length === 1, 'the reset');
    } finally {
      clearInterval(feeding);
    }
    assert.ok(Date.now() - openedMs < 8_000);
    assert.match(mux.stderr, /WARNING: crm \(pid \d+\) silent for 1\d\d\d ms \(timeout 1200 ms\)/);
    assert.match(mux.stderr, /crm \(pid \d+, timeout 1200 ms\) missed its deadline/);
    assert.doesNotMatch(mux.stderr, /lrm \(pid \d+[^)]*\) missed/);
  });

  it('keepalives that waited while the mux stalled past a deadline count as silence', async () => {
    // A device timeout of 5 s outlasts the 2 s stall: the reset is the mux's decision, not the device's.
    const mux = await startWatchdog('5');
    const client = await clientProcess('lrm', 1_000, 100);
    mux.child.kill('SIGSTOP');
    await sleepMs(2_000);
    mux.child.kill('SIGCONT');
    await until(() => mux.stderr.includes('WATCHDOG KEEPALIVES STOPPED'), 'the stop');
    assert.match(mux.stderr, /lrm \(pid \d+, timeout 1000 ms\) missed its deadline: no keepalive for (1\d|2\d)\d\d ms/);
    await until(() => readResets(nodeDir).length === 1, 'the reset', 15_000);
    assert.equal(client.child.exitCode, null, 'the client kept sending all along');
  });

  it('a clean stop with no registration left writes V: the emulated device is disarmed, no reset', async () => {
    const emulator = start(EMULATOR_BIN, ['--device', device, '--node-dir', nodeDir, '--timeout', '2']);
    await until(() => emulator.stdout.startsWith('ready'), 'the emulator');
    const mux = start(MUX_BIN, ['--device', device, '--emulated', '--socket', socketPath, '--node-dir', nodeDir, '--device-timeout', '2', '--keepalive-interval', '0.1']);
    await until(() => existsSync(socketPath), 'the mux socket');
    const client = watchdogClient('crm', 5_000);
    client.open();
    client.close();
    await until(() => mux.stderr.includes('left cleanly'), 'the clean leave');
    mux.child.kill('SIGTERM');
    assert.equal((await exitOf(mux)).code, 0);
    await until(() => emulator.stderr.includes('magic close, disarmed'), 'the magic close');
    await sleepMs(2_500);
    assert.deepEqual(readResets(nodeDir), []);
    assert.equal(existsSync(socketPath), false);
    assert.equal(existsSync(join(nodeDir, 'pids', 'ha-watchdog-mux.pid')), false);
  });

  it('a second mux on the same device fails with EBUSY, and the first keeps feeding', async () => {
    await startWatchdog('3');
    const second = start(MUX_BIN, ['--device', device, '--emulated', '--socket', join(dir, 'other.sock')]);
    assert.equal((await exitOf(second)).code, 1);
    assert.match(second.stderr, /is held by another process \(EBUSY\)/);
    await sleepMs(1_500);
    assert.deepEqual(readResets(nodeDir), []);
  });
});

describe('watchdog/ha-watchdog-mux start errors (real processes)', function () {
  this.timeout(30_000);
  afterEach(killAll);

  async function failure(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const mux = start(MUX_BIN, ['--socket', join(tmpdir(), `ha-mux-never-${process.pid}.sock`), ...args]);
    const { code } = await exitOf(mux);
    return { code, stderr: mux.stderr };
  }

  it('a missing device: exit 1 and a message naming it', async () => {
    const result = await failure(['--device', '/dev/watchdog-none']);
    assert.equal(result.code, 1);
    // One line: the time and level (stderr is no journal here), who, what.
    assert.match(result.stderr, /^\S+Z err +watchdog-mux: Watchdog device \/dev\/watchdog-none does not exist \(no watchdog driver loaded\? e\.g\. modprobe softdog, or pass --device PATH\)\n$/);
  });

  it('a failing ioctl (a character device that is no watchdog): exit 1 and ENOTTY named', async () => {
    const result = await failure(['--device', '/dev/null']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Watchdog device \/dev\/null refused WDIOC_SETTIMEOUT with ENOTTY/);
  });

  it('bad flags: exit 2; client timeouts are no flag of the mux (each client announces its own)', async () => {
    const removed = await failure(['--client-timeout', '60']);
    assert.equal(removed.code, 2);
    assert.match(removed.stderr, /Unknown option '--client-timeout'/);
    assert.equal((await failure(['--client-timeout-max', '0'])).code, 2);
    assert.equal((await failure(['--node-dir', '/tmp/x'])).code, 2);
    assert.equal((await failure(['--bogus'])).code, 2);
  });
});
