import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WatchdogClient, WatchdogClientError } from '../../src/watchdog/watchdog-client.ts';

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`Timed out waiting for ${what}`);
}

const ACCEPTED = { v: 2, accepted: true, claimed: false, deviceTimeoutMs: 10_000, clientTimeoutMsMax: 300_000 };

/** A stand-in mux: records what each connection sent, answers the hello line with `reply` (or not at all). */
class RecordingServer {
  readonly connections: Array<{ bytes: string; hasEnded: boolean; socket: Socket }> = [];
  reply: object | undefined = ACCEPTED;
  private constructor(readonly server: Server) {
    server.on('connection', (socket) => {
      const record = { bytes: '', hasEnded: false, socket };
      this.connections.push(record);
      socket.on('data', (data) => {
        const isFirstLine = !record.bytes.includes('\n');
        record.bytes += data.toString();
        if (isFirstLine && record.bytes.includes('\n') && this.reply !== undefined) {
          socket.write(`${JSON.stringify(this.reply)}\n`);
          if ((this.reply as { accepted?: boolean }).accepted === false) socket.end();
        }
      });
      socket.on('end', () => {
        record.hasEnded = true;
        socket.end();
      });
    });
  }
  static async listen(path: string): Promise<RecordingServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return new RecordingServer(server);
  }
  /** What a connection sent after its hello line. */
  after(index: number): string | undefined {
    const bytes = this.connections[index]?.bytes;
    return bytes?.slice(bytes.indexOf('\n') + 1);
  }
  async close(): Promise<void> {
    for (const { socket } of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('watchdog/watchdog-client (protocol v2)', () => {
  let dir: string;
  let socketPath: string;
  let server: RecordingServer | undefined;
  const client = (options: { bufferedBytesMax?: number; path?: string } = {}) =>
    new WatchdogClient({ socketPath: options.path ?? socketPath, daemon: 'lrm', timeoutMs: 60_000, pid: 4242, ...(options.bufferedBytesMax ? { bufferedBytesMax: options.bufferedBytesMax } : {}) });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ha-client-'));
    socketPath = join(dir, 'mux.sock');
    server = await RecordingServer.listen(socketPath);
  });
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('open says hello and sends a keepalive; feed one byte each; close V and a clean end', async () => {
    const watchdog = client();
    watchdog.open();
    assert.equal(watchdog.state, 'connecting');
    await until(() => watchdog.state === 'connected', 'the connection');
    watchdog.feed();
    watchdog.feed();
    watchdog.close();
    await watchdog.settled();
    const [connection] = server!.connections;
    assert.equal(connection?.bytes, '{"v":2,"daemon":"lrm","timeoutMs":60000,"pid":4242,"claim":false}\nkkkV');
    assert.equal(connection?.hasEnded, true);
    assert.equal(watchdog.state, 'closed');
  });

  it('handOver sends H and ends; the client can open again (a new registration)', async () => {
    const watchdog = client();
    watchdog.open();
    watchdog.handOver();
    await watchdog.settled();
    assert.equal(server!.after(0), 'kH');
    watchdog.open();
    watchdog.feed();
    await until(() => server!.after(1) === 'kk', 'the second registration');
    assert.throws(() => watchdog.open(), /already open/);
  });

  it('register: hello with a claim, the reply read; with nothing claimed the connection leaves cleanly (V)', async () => {
    const watchdog = client();
    const registration = await watchdog.register({ isClaiming: true });
    assert.deepEqual(registration, { claimed: undefined, deviceTimeoutMs: 10_000, clientTimeoutMsMax: 300_000 });
    await until(() => server!.connections[0]?.hasEnded === true, 'the clean leave');
    assert.equal(server!.connections[0]?.bytes, '{"v":2,"daemon":"lrm","timeoutMs":60000,"pid":4242,"claim":true}\nV');
    assert.equal(watchdog.state, 'closed');
  });

  it('register: a claimed registration stays attached and is fed by this client', async () => {
    server!.reply = { ...ACCEPTED, claimed: true, keepaliveAgeMs: 3_500 };
    let nowMs = 1_000;
    const watchdog = new WatchdogClient({ socketPath, daemon: 'lrm', timeoutMs: 60_000, pid: 1, nowMs: () => nowMs });
    const registration = await watchdog.register({ isClaiming: true });
    nowMs = 2_000;
    assert.deepEqual(registration.claimed, { keepaliveAgeMs: 3_500, sinceMs: 1_000 });
    watchdog.feed();
    await until(() => server!.after(0) === 'k', 'the keepalive on the claimed registration');
    assert.equal(server!.connections[0]?.hasEnded, false);
  });

  it('register: a refusal, a silent mux or a reply of another version is a WatchdogClientError naming why', async () => {
    server!.reply = { v: 2, accepted: false, reason: 'lrm announces a timeout of 400000 ms, above the ceiling' };
    await assert.rejects(client().register({ isClaiming: true }), (error: Error) => error instanceof WatchdogClientError && error.reason === 'mux-refused' && /lrm could not register: refused: lrm announces a timeout of 400000 ms/.test(error.message));
    server!.reply = { v: 3, accepted: true };
    await assert.rejects(client().register({ isClaiming: false }), /could not register: reply: protocol version 3, this end speaks 2/);
    server!.reply = undefined;
    await assert.rejects(client().register({ isClaiming: false, replyWaitMs: 100 }), /could not register: no reply within 100 ms/);
  });

  it('a hello refused after open() marks the client failed: the next feed says why', async () => {
    server!.reply = { v: 2, accepted: false, reason: 'lrm is registered already, attached to pid 7' };
    const watchdog = client();
    watchdog.open();
    await until(() => watchdog.state === 'failed', 'the refusal');
    const result = watchdog.tryFeed();
    assert.deepEqual(result, { isOk: false, reason: 'mux-refused', message: `Watchdog mux ${socketPath} refused: lrm is registered already, attached to pid 7` });
  });

  it('open throws at once when there is no mux socket', async () => {
    assert.throws(() => client({ path: join(dir, 'missing.sock') }).open(), (error: Error) => error instanceof WatchdogClientError && error.reason === 'mux-missing' && /missing\.sock does not exist \(ENOENT\)/.test(error.message));
    writeFileSync(join(dir, 'plain'), '');
    assert.throws(() => client({ path: join(dir, 'plain') }).open(), /is not a socket/);
    await assert.rejects(client({ path: join(dir, 'missing.sock') }).register({ isClaiming: true }), /does not exist/);
  });

  it('feed and close fail loudly once the mux is gone, never silently', async () => {
    const watchdog = client();
    watchdog.open();
    await until(() => server!.connections.length === 1, 'the connection');
    server!.connections[0]!.socket.destroy();
    await until(() => watchdog.state === 'failed', 'the client to notice');
    const result = watchdog.tryFeed();
    assert.equal(result.isOk, false);
    assert.equal(!result.isOk && result.reason, 'mux-gone');
    assert.throws(() => watchdog.feed(), (error: Error) => error instanceof WatchdogClientError && error.reason === 'mux-gone' && error.message.startsWith(`Watchdog mux ${socketPath} is gone`));
    assert.throws(() => watchdog.close(), { name: 'WatchdogClientError' });
    assert.throws(() => watchdog.handOver(), { name: 'WatchdogClientError' });
  });

  it('a socket file with no mux behind it fails on the next feed', async () => {
    const stale = join(dir, 'stale.sock');
    const killed = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`], { timeout: 10_000 });
    assert.equal(killed.signal, 'SIGKILL');
    const watchdog = client({ path: stale });
    watchdog.open();
    await until(() => watchdog.state === 'failed', 'the refused connection');
    assert.throws(() => watchdog.feed(), /ECONNREFUSED/);
  });

  it('feed before open and after close are errors', () => {
    const watchdog = client();
    assert.throws(() => watchdog.feed(), (error: Error) => error instanceof WatchdogClientError && error.reason === 'not-open');
    watchdog.open();
    watchdog.close();
    assert.throws(() => watchdog.feed(), /is not open/);
  });

  it('fails a feed when too many bytes wait unsent', () => {
    const watchdog = client({ bufferedBytesMax: 2 });
    watchdog.open();
    watchdog.feed();
    const result = watchdog.tryFeed();
    assert.equal(result.isOk, false);
    assert.match(!result.isOk ? result.message : '', new RegExp(`Watchdog mux ${socketPath} reads nothing: \\d+ bytes unsent \\(limit 2\\)`));
    watchdog.close();
  });
});
