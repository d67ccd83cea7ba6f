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

const LIMITS = { clientsMax: 4, clientTimeoutMsMax: 300_000, deviceTimeoutMs: 10_000 };

/** A raw client: the test writes the protocol bytes itself. */
interface RawClient {
  readonly socket: Socket;
  /** What the mux sent back (the reply line). */
  received: string;
  hasClosed: boolean;
}

describe('watchdog/watchdog-mux (fake timers, real Unix socket, protocol v2)', () => {
  let clock: sinon.SinonFakeTimers;
  let dir: string;
  let device: RecordingDevice;
  let mux: WatchdogMux | undefined;
  let logs: string[];
  const clients: RawClient[] = [];

  beforeEach(async () => {
    clock = sinon.useFakeTimers({ toFake: ['setInterval', 'clearInterval'], now: 0 });
    dir = mkdtempSync(join(tmpdir(), 'ha-mux-'));
    device = new RecordingDevice(clock);
    logs = [];
    mux = await WatchdogMux.start(device, { socketPath: join(dir, 'run', 'mux.sock'), limits: LIMITS, keepaliveIntervalMs: 1_000, log: (line) => logs.push(line), nowMs: () => clock.now });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    if (mux !== undefined && device.closedAs === undefined) await mux.stop();
    clock.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Connects, says hello, waits for the reply. */
  async function hello(daemon: string, options: { timeoutMs?: number; claim?: boolean; pid?: number } = {}): Promise<RawClient> {
    const socket = createConnection(join(dir, 'run', 'mux.sock'));
    const client: RawClient = { socket, received: '', hasClosed: false };
    clients.push(client);
    socket.on('data', (data) => (client.received += data.toString()));
    socket.on('close', () => (client.hasClosed = true));
    socket.write(`${JSON.stringify({ v: 2, daemon, timeoutMs: options.timeoutMs ?? 60_000, pid: options.pid ?? 4000 + clients.length, claim: options.claim ?? false })}\n`);
    await until(() => client.received.endsWith('\n'), `the reply to ${daemon}`);
    return client;
  }

  async function send(client: RawClient, bytes: string, daemon: string): Promise<void> {
    client.socket.write(bytes);
    const expected = bytes.endsWith('k') ? clock.now : undefined;
    await until(() => expected === undefined || mux!.registrations.find((each) => each.daemon === daemon)?.lastKeepaliveMs === expected, `${JSON.stringify(bytes)} from ${daemon}`);
  }

  async function leave(client: RawClient, lastByte: 'V' | 'H' | ''): Promise<void> {
    client.socket.end(lastByte);
    await until(() => client.hasClosed, 'the close');
  }

  it('listens with mode 0600 and feeds once at start and every second', () => {
    assert.equal(statSync(join(dir, 'run', 'mux.sock')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'run')).mode & 0o777, 0o700);
    clock.tick(5_000);
    assert.deepEqual(device.keepaliveMs, [0, 1_000, 2_000, 3_000, 4_000, 5_000]);
  });

  it('answers a hello with the device timeout and the ceiling, and keeps feeding while every registration is fresh', async () => {
    const lrm = await hello('lrm');
    assert.deepEqual(JSON.parse(lrm.received), { v: 2, accepted: true, claimed: false, deviceTimeoutMs: 10_000, clientTimeoutMsMax: 300_000 });
    const crm = await hello('crm', { timeoutMs: 20_000 });
    for (let round = 0; round < 30; round += 1) {
      clock.tick(10_000);
      await send(lrm, 'k', 'lrm');
      await send(crm, 'k', 'crm');
    }
    assert.equal(device.keepaliveMs.length, 1 + 300);
    assert.equal(mux!.isFeeding, true);
    assert.deepEqual(logs.filter((line) => /WARNING|lost|STOPPED/.test(line)), []);
    assert.ok(logs.includes('crm (pid 4002) joined with a timeout of 20000 ms'));
  });

  it("each registration's own timeout: warned at 5/6 of it, the feeding stopped strictly past its deadline", async () => {
    const fast = await hello('crm', { timeoutMs: 12_000 });
    await send(fast, 'k', 'crm');
    clock.tick(10_000);
    assert.deepEqual(logs.filter((line) => line.startsWith('WARNING')), ['WARNING: crm (pid 4001) silent for 10000 ms (timeout 12000 ms)']);
    clock.tick(2_000);
    assert.equal(mux!.isFeeding, true, 'at the deadline itself the registration is still on time');
    clock.tick(1_000);
    assert.equal(mux!.isFeeding, false);
    clock.tick(30_000);
    assert.equal(device.keepaliveMs.at(-1), 12_000, 'no keepalive after the deadline passed');
    assert.ok(logs.some((line) => line.startsWith('WATCHDOG KEEPALIVES STOPPED, the node will be reset: crm (pid 4001, timeout 12000 ms) missed its deadline')));
  });

  it('a close without V keeps the registration armed: the node is reset at its deadline, unless the next process claims it', async () => {
    const old = await hello('lrm', { pid: 111 });
    await send(old, 'k', 'lrm');
    clock.tick(5_000);
    await leave(old, '');
    assert.ok(logs.includes('lrm (pid 111) went without V: its registration stays armed, deadline in 55000 ms'));
    clock.tick(3_000);
    const successor = await hello('lrm', { claim: true, pid: 222 });
    assert.deepEqual(JSON.parse(successor.received), { v: 2, accepted: true, claimed: true, keepaliveAgeMs: 8_000, deviceTimeoutMs: 10_000, clientTimeoutMsMax: 300_000 });
    clock.tick(50_000);
    await send(successor, 'k', 'lrm');
    clock.tick(59_000);
    assert.equal(mux!.isFeeding, true, 'the successor keeps the node alive');
    assert.ok(logs.includes('lrm (pid 222) claimed the registration of pid 111: last keepalive 8000 ms ago, deadline in 52000 ms'));
  });

  it('a hand-over (H) keeps the deadline; nobody claiming it in time stops the feeding', async () => {
    const lrm = await hello('lrm');
    await send(lrm, 'k', 'lrm');
    await leave(lrm, 'H');
    assert.ok(logs.some((line) => /handed its registration over to its next process: deadline in 60000 ms/.test(line)));
    clock.tick(60_000);
    assert.equal(mux!.isFeeding, true);
    clock.tick(1_000);
    assert.equal(mux!.isFeeding, false);
    assert.equal((await mux!.stop()).action, 'leave-armed');
    assert.equal(device.closedAs, 'armed');
  });

  it('refuses a timeout above the ceiling and closes that connection; refuses a second attached lrm', async () => {
    const tooLong = await hello('lrm', { timeoutMs: 400_000, pid: 77 });
    assert.deepEqual(JSON.parse(tooLong.received), {
      v: 2,
      accepted: false,
      reason: "lrm (pid 77) announces a timeout of 400000 ms, above this mux's ceiling of 300000 ms (--client-timeout-max)",
    });
    await until(() => tooLong.hasClosed, 'the refused connection to close');
    await hello('lrm', { pid: 78 });
    const second = await hello('lrm', { claim: true, pid: 79 });
    assert.match(second.received, /"accepted":false,"reason":"lrm is registered already, attached to pid 78"/);
  });

  it('a v1 client (bytes, no hello) is refused loudly', async () => {
    const socket = createConnection(join(dir, 'run', 'mux.sock'));
    let received = '';
    socket.on('data', (data) => (received += data.toString()));
    clients.push({ socket, received: '', hasClosed: false });
    socket.write('kkk\n');
    await until(() => received.endsWith('\n'), 'the refusal');
    assert.match(received, /"accepted":false,"reason":"hello: not JSON: \\"kkk\\"/);
  });

  it('V then close is a clean leave; a clean stop with no registration left writes V to the device', async () => {
    const client = await hello('crm');
    await send(client, 'k', 'crm');
    await leave(client, 'V');
    await until(() => mux!.registrations.length === 0, 'the clean leave');
    assert.deepEqual(await mux!.stop(), { action: 'magic-close' });
    assert.equal(device.closedAs, 'magic');
    assert.throws(() => statSync(join(dir, 'run', 'mux.sock')), /ENOENT/);
  });

  it('a stop with a registration left (even detached) leaves the device armed', async () => {
    const client = await hello('lrm');
    await send(client, 'k', 'lrm');
    await leave(client, '');
    const result = await mux!.stop();
    assert.match(result.action === 'leave-armed' ? result.reason : '', /lrm pid 4001 \(detached\)/);
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
    return { socketPath, limits: LIMITS, keepaliveIntervalMs: 1_000, log: () => {} };
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

  it('refuses limits that are not positive integers', async () => {
    let closedAs = '';
    const device = { path: 'x', isEmulated: true, timeoutS: undefined, keepalive() {}, magicClose: () => void (closedAs = 'magic'), closeArmed() {} };
    await assert.rejects(WatchdogMux.start(device, { ...options(join(dir, 'm.sock')), limits: { ...LIMITS, deviceTimeoutMs: 0 } }), /deviceTimeoutMs must be a positive integer, got 0/);
    assert.equal(closedAs, 'magic');
  });
});
