import { strict as assert } from 'node:assert';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidsDir, readResets, registerProcess } from '../../src/watchdog/emulator/node-dir.ts';
import { EMULATOR_BIN, exitOf, killAll, sleepMs, start, until, type Started } from './processes.ts';

describe('watchdog/emulator (real child processes)', function () {
  this.timeout(30_000);
  let dir: string;
  let nodeDir: string;
  let device: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-emulator-'));
    nodeDir = join(dir, 'node1');
    device = join(dir, 'watchdog');
  });
  afterEach(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startEmulator(timeoutS: string): Promise<Started> {
    const emulator = start(EMULATOR_BIN, ['--device', device, '--node-dir', nodeDir, '--timeout', timeoutS, '--poll-ms', '5']);
    await until(() => emulator.stdout.startsWith(`ready ${device}`), 'the emulator');
    return emulator;
  }

  /** A process standing for a daemon or a simulated service of the node. */
  function nodeProcess(name: string) {
    const handle = start('sleep', ['60']);
    registerProcess(nodeDir, name, handle.child.pid);
    return handle;
  }

  it('does not reset while keepalives flow, then resets: kills the listed pids and records the reset', async () => {
    const emulator = await startEmulator('1.5');
    const lrm = nodeProcess('ha-lrm');
    const service = nodeProcess('vm-101');
    const writer = openSync(device, constants.O_WRONLY | constants.O_NONBLOCK);
    const beforeMs = Date.now();
    for (let index = 0; index < 14; index += 1) {
      writeSync(writer, 'k');
      await sleepMs(150);
    }
    assert.deepEqual(readResets(nodeDir), [], 'no reset while keepalives flow');
    assert.equal(lrm.child.exitCode, null);
    const lastKeepaliveMs = Date.now() - 150;
    await until(() => readResets(nodeDir).length === 1, 'the reset');
    const [reset] = readResets(nodeDir);
    assert.equal(reset?.reason, 'watchdog');
    assert.ok(reset!.lastKeepaliveWallMs >= beforeMs && reset!.lastKeepaliveWallMs <= lastKeepaliveMs + 50, JSON.stringify(reset));
    assert.ok(reset!.wallMs - reset!.lastKeepaliveWallMs >= 1_500, JSON.stringify(reset));
    assert.deepEqual([...reset!.killed].sort(), [`ha-lrm:${lrm.child.pid}`, `vm-101:${service.child.pid}`]);
    assert.equal((await exitOf(lrm)).signal, 'SIGKILL');
    assert.equal((await exitOf(service)).signal, 'SIGKILL');
    assert.equal(existsSync(join(pidsDir(nodeDir), 'ha-lrm.pid')), false);
    closeSync(writer);
    emulator.child.kill('SIGTERM');
    assert.equal((await exitOf(emulator)).code, 0);
    assert.equal(existsSync(device), false, 'the FIFO is removed at exit');
    const figures = JSON.parse(emulator.stdout.split('\n')[1]!) as { keepaliveCount: number; resetCount: number; largestGapMs: number };
    assert.equal(figures.keepaliveCount, 14);
    assert.equal(figures.resetCount, 1);
    assert.ok(figures.largestGapMs >= 140 && figures.largestGapMs < 1_500, JSON.stringify(figures));
  });

  it('a close without V still resets; V then close disarms', async () => {
    await startEmulator('0.4');
    let writer = openSync(device, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(writer, 'kV');
    closeSync(writer);
    await sleepMs(1_000);
    assert.deepEqual(readResets(nodeDir), [], 'disarmed by V then close');
    writer = openSync(device, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(writer, 'k');
    closeSync(writer);
    await until(() => readResets(nodeDir).length === 1, 'the reset after a close without V');
  });

  it('never kills a process whose pid file is stale (start time differs), and skips a file with no pid', async () => {
    await startEmulator('0.3');
    const bystander = start('sleep', ['60']);
    mkdirSync(pidsDir(nodeDir), { recursive: true });
    writeFileSync(join(pidsDir(nodeDir), 'old-daemon.pid'), `${bystander.child.pid} 1\n`);
    writeFileSync(join(pidsDir(nodeDir), 'garbage.pid'), 'not a pid\n');
    const writer = openSync(device, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(writer, 'k');
    await until(() => readResets(nodeDir).length === 1, 'the reset');
    assert.deepEqual(readResets(nodeDir)[0]?.killed, []);
    assert.equal(existsSync(join(pidsDir(nodeDir), 'garbage.pid')), true, 'a file with no pid is left alone');
    await sleepMs(100);
    assert.equal(bystander.child.exitCode, null);
    assert.equal(bystander.child.signalCode, null);
    closeSync(writer);
  });

  it('refuses a device path that exists and is not a FIFO', async () => {
    writeFileSync(device, '');
    const emulator = start(EMULATOR_BIN, ['--device', device, '--node-dir', nodeDir]);
    assert.equal((await exitOf(emulator)).code, 1);
    assert.match(emulator.stderr, /Emulated device path .*watchdog exists and is not a FIFO/);
  });
});

