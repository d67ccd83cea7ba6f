import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { readResets, registerProcess } from '../../src/watchdog/emulator/node-dir.ts';
import { WatchdogClient } from '../../src/watchdog/watchdog-client.ts';
import { EMULATOR_BIN, exitOf, killAll, MUX_BIN, sleepMs, start, until, type Started } from './processes.ts';

describe('watchdog/ha-watchdog-mux with the emulated device (real processes)', function () {
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

  async function startEmulator(timeoutS: string): Promise<Started> {
    const emulator = start(EMULATOR_BIN, ['--device', device, '--node-dir', nodeDir, '--timeout', timeoutS]);
    await until(() => emulator.stdout.startsWith('ready'), 'the emulator');
    return emulator;
  }

  async function startMux(extra: string[] = []): Promise<Started> {
    const mux = start(MUX_BIN, ['--device', device, '--emulated', '--socket', socketPath, '--node-dir', nodeDir, ...extra]);
    await until(() => existsSync(socketPath) || mux.child.exitCode !== null, 'the mux socket');
    assert.equal(mux.child.exitCode, null, mux.stderr);
    return mux;
  }

  it('says loudly that the device is emulated, and keeps the node alive while its clients are fresh', async () => {
    // Timeouts of 3 s leave room for a test process slowed by whatever else runs on the machine.
    await startEmulator('3');
    const mux = await startMux(['--client-timeout', '3', '--client-warning', '2', '--keepalive-interval', '0.25']);
    assert.match(mux.stderr, /WARNING: EMULATED watchdog device/);
    const lrm = new WatchdogClient({ socketPath });
    const crm = new WatchdogClient({ socketPath });
    lrm.open();
    crm.open();
    for (let index = 0; index < 20; index += 1) {
      await sleepMs(250);
      lrm.feed();
      crm.feed();
    }
    assert.deepEqual(readResets(nodeDir), []);
    assert.equal(mux.child.exitCode, null);
    assert.doesNotMatch(mux.stderr, /silent|lost|STOPPED/);
    lrm.close();
    crm.close();
    await Promise.all([lrm.settled(), crm.settled()]);
  });

  it('a client vanishing without V gets the node reset: the mux and the node processes are killed', async () => {
    await startEmulator('2');
    const mux = await startMux(['--client-timeout', '5', '--keepalive-interval', '0.2']);
    const daemon = start('sleep', ['60']);
    registerProcess(nodeDir, 'ha-lrm', daemon.child.pid);
    // A daemon that dies: its connection closes without the magic 'V'.
    const connection = createConnection(socketPath);
    connection.write('k');
    await until(() => mux.stderr.includes('Client 0 connected'), 'the client');
    const startedMs = Date.now();
    connection.destroy();
    await until(() => readResets(nodeDir).length === 1, 'the reset');
    const elapsedMs = Date.now() - startedMs;
    assert.ok(elapsedMs >= 1_900 && elapsedMs < 8_000, `reset after ${elapsedMs} ms`);
    assert.match(mux.stderr, /WATCHDOG KEEPALIVES STOPPED.*without the magic 'V'/);
    assert.equal((await exitOf(daemon)).signal, 'SIGKILL');
    assert.equal((await exitOf(mux)).signal, 'SIGKILL');
    assert.deepEqual([...readResets(nodeDir)[0]!.killed].sort(), [`ha-lrm:${daemon.child.pid}`, `ha-watchdog-mux:${mux.child.pid}`]);
  });

  it('a client silent past the client timeout gets a warning, then the node reset', async () => {
    await startEmulator('2');
    const mux = await startMux(['--client-timeout', '1.5', '--client-warning', '1', '--keepalive-interval', '0.1']);
    const client = new WatchdogClient({ socketPath });
    client.open();
    await until(() => readResets(nodeDir).length === 1, 'the reset');
    assert.match(mux.stderr, /WARNING: client 0 silent for 1\d\d\d ms/);
    assert.match(mux.stderr, /client 0 silent for 1[5-9]\d\d ms \(timeout 1500 ms\)/);
  });

  it('a clean stop with no client left writes V: the emulated device is disarmed, no reset', async () => {
    const emulator = await startEmulator('2');
    const mux = await startMux(['--keepalive-interval', '0.1']);
    const client = new WatchdogClient({ socketPath });
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
    await startEmulator('3');
    await startMux();
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
    assert.equal(result.stderr, 'ha-watchdog-mux: Watchdog device /dev/watchdog-none does not exist (no watchdog driver loaded? e.g. modprobe softdog, or pass --device PATH)\n');
  });

  it('a failing ioctl (a character device that is no watchdog): exit 1 and ENOTTY named', async () => {
    const result = await failure(['--device', '/dev/null']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Watchdog device \/dev\/null refused WDIOC_SETTIMEOUT with ENOTTY/);
  });

  it('bad flags: exit 2', async () => {
    assert.equal((await failure(['--client-timeout', '1', '--client-warning', '2'])).code, 2);
    assert.equal((await failure(['--node-dir', '/tmp/x'])).code, 2);
    assert.equal((await failure(['--bogus'])).code, 2);
  });
});
