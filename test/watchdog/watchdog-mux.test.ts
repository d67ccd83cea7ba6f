import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import type { WatchdogDevice } from '../../src/watchdog/watchdog-device.ts';
import { WatchdogMux } from '../../src/watchdog/watchdog-mux.ts';

/** A device that records what the mux does to it, in fake-clock milliseconds. */
class RecordingDevice implements WatchdogDevice {
  readonly path = '/dev/recording';
  readonly isEmulated = true;
  readonly timeoutS = undefined;
  readonly keepaliveMs: number[] = [];
  closedAs: 'magic' | 'armed' | undefined;
  constructor(private readonly clock: sinon.SinonFakeTimers) {}
  keepalive(): void {
    assert.equal(this.closedAs, undefined, 'keepalive after close');
    this.keepaliveMs.push(this.clock.now);
  }
  magicClose(): void {
    assert.equal(this.closedAs, undefined, 'closed twice');
    this.closedAs = 'magic';
  }
  closeArmed(): void {
    assert.equal(this.closedAs, undefined, 'closed twice');
    this.closedAs = 'armed';
  }
}

/** Waits, in real time, for socket I/O the mux has to see (the fake clock does not move). */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`Timed out waiting for ${what}`);
}

describe('watchdog/watchdog-mux (fake timers, real Unix socket)', () => {
  let clock: sinon.SinonFakeTimers;
  let dir: string;
  let device: RecordingDevice;
  let mux: WatchdogMux | undefined;
  let logs: string[];
  const sockets: Socket[] = [];

  beforeEach(async () => {
    clock = sinon.useFakeTimers({ toFake: ['setInterval', 'clearInterval'], now: 0 });
    dir = mkdtempSync(join(tmpdir(), 'ha-mux-'));
    device = new RecordingDevice(clock);
    logs = [];
    mux = await WatchdogMux.start(device, {
      socketPath: join(dir, 'run', 'mux.sock'),
      limits: { clientTimeoutMs: 60_000, clientWarningMs: 50_000, clientsMax: 4 },
      keepaliveIntervalMs: 1_000,
      log: (line) => logs.push(line),
      nowMs: () => clock.now,
    });
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    if (mux !== undefined && device.closedAs === undefined) await mux.stop();
    clock.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  async function connectClient(): Promise<Socket> {
    const before = mux!.clients.length;
    const socket = createConnection(join(dir, 'run', 'mux.sock'));
    sockets.push(socket);
    await until(() => mux!.clients.length === before + 1, 'the client to join');
    return socket;
  }

  async function send(socket: Socket, bytes: string): Promise<void> {
    const clientIndex = sockets.indexOf(socket);
    socket.write(bytes);
    await until(() => mux!.clients.find((client) => client.clientId === clientIndex)?.lastKeepaliveMs === clock.now, `keepalive ${JSON.stringify(bytes)}`);
  }

  it('listens with mode 0600 and feeds once at start and every second', () => {
    assert.equal(statSync(join(dir, 'run', 'mux.sock')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'run')).mode & 0o777, 0o700);
    clock.tick(5_000);
    assert.deepEqual(device.keepaliveMs, [0, 1_000, 2_000, 3_000, 4_000, 5_000]);
  });

  it('keeps feeding while every client is fresh', async () => {
    const first = await connectClient();
    const second = await connectClient();
    for (let round = 0; round < 30; round += 1) {
      clock.tick(10_000);
      await send(first, 'k');
      await send(second, 'k');
    }
    assert.equal(device.keepaliveMs.length, 1 + 300);
    assert.equal(mux!.isFeeding, true);
    assert.deepEqual(logs.filter((line) => /WARNING|lost|STOPPED/.test(line)), []);
  });

  it('warns about a silent client at 50 s and stops feeding at 60 s', async () => {
    const talker = await connectClient();
    await connectClient();
    for (let round = 0; round < 5; round += 1) {
      clock.tick(10_000);
      await send(talker, 'k');
    }
    assert.deepEqual(logs.filter((line) => line.startsWith('WARNING')), ['WARNING: client 1 silent for 50000 ms']);
    clock.tick(9_000);
    assert.equal(device.keepaliveMs.at(-1), 59_000);
    clock.tick(1_000);
    assert.equal(mux!.isFeeding, false);
    clock.tick(30_000);
    assert.equal(device.keepaliveMs.at(-1), 59_000, 'no keepalive from 60 s on');
    assert.ok(logs.some((line) => line === 'WATCHDOG KEEPALIVES STOPPED, the node will be reset: client 1 silent for 60000 ms (timeout 60000 ms)'));
  });

  it('stops feeding when a client closes without V', async () => {
    const client = await connectClient();
    await send(client, 'k');
    client.end();
    await until(() => mux!.clients.length === 0, 'the close');
    clock.tick(5_000);
    assert.deepEqual(device.keepaliveMs, [0]);
    assert.equal(await mux!.stop().then((result) => result.action), 'leave-armed');
    assert.equal(device.closedAs, 'armed');
  });

  it('V then close is a clean leave; the feeding goes on for the others', async () => {
    const leaver = await connectClient();
    const stayer = await connectClient();
    await send(leaver, 'kV');
    leaver.end();
    await until(() => mux!.clients.length === 1, 'the clean leave');
    for (let round = 0; round < 12; round += 1) {
      clock.tick(10_000);
      await send(stayer, 'k');
    }
    assert.equal(device.keepaliveMs.length, 1 + 120);
    assert.ok(logs.includes('Client 0 left cleanly (1 now)'));
  });

  it('a clean stop with no client left writes V to the device', async () => {
    const client = await connectClient();
    await send(client, 'V');
    client.end();
    await until(() => mux!.clients.length === 0, 'the clean leave');
    assert.deepEqual(await mux!.stop(), { action: 'magic-close' });
    assert.equal(device.closedAs, 'magic');
    assert.throws(() => statSync(join(dir, 'run', 'mux.sock')), /ENOENT/);
  });

  it('a stop with a client still connected leaves the device armed', async () => {
    await connectClient();
    const result = await mux!.stop();
    assert.equal(result.action, 'leave-armed');
    assert.equal(device.closedAs, 'armed');
  });
});

describe('watchdog/watchdog-mux start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-mux-start-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function options(socketPath: string) {
    return { socketPath, limits: { clientTimeoutMs: 60_000, clientWarningMs: 50_000, clientsMax: 4 }, keepaliveIntervalMs: 1_000, log: () => {} };
  }

  it('replaces a socket left by an earlier mux', async () => {
    const socketPath = join(dir, 'mux.sock');
    // A process that listens and is killed leaves its socket file behind, like a mux killed by a reset.
    const killed = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`], { timeout: 10_000 });
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(statSync(socketPath).isSocket(), true);
    const device = { path: 'x', isEmulated: true, timeoutS: undefined, keepalive() {}, magicClose() {}, closeArmed() {} };
    const mux = await WatchdogMux.start(device, options(socketPath));
    assert.equal(statSync(socketPath).isSocket(), true);
    await mux.stop();
  });

  it('refuses a socket path that is a plain file, and magic-closes the device it was given', async () => {
    const socketPath = join(dir, 'not-a-socket');
    writeFileSync(socketPath, 'x');
    let closedAs = '';
    const device = { path: 'x', isEmulated: true, timeoutS: undefined, keepalive() {}, magicClose: () => void (closedAs = 'magic'), closeArmed() {} };
    await assert.rejects(WatchdogMux.start(device, options(socketPath)), /Socket path .*not-a-socket exists and is not a socket/);
    assert.equal(closedAs, 'magic');
  });
});
