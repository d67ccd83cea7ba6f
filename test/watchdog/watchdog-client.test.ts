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

/** A stand-in mux that records what each connection sent and whether it ended. */
class RecordingServer {
  readonly connections: Array<{ bytes: string; hasEnded: boolean; socket: Socket }> = [];
  private constructor(readonly server: Server) {
    server.on('connection', (socket) => {
      const record = { bytes: '', hasEnded: false, socket };
      this.connections.push(record);
      socket.on('data', (data) => (record.bytes += data.toString()));
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
  async close(): Promise<void> {
    for (const { socket } of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('watchdog/watchdog-client', () => {
  let dir: string;
  let socketPath: string;
  let server: RecordingServer | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ha-client-'));
    socketPath = join(dir, 'mux.sock');
    server = await RecordingServer.listen(socketPath);
  });
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('open sends a keepalive, feed one byte each, close V and a clean end', async () => {
    const client = new WatchdogClient({ socketPath });
    client.open();
    assert.equal(client.state, 'connecting');
    await until(() => client.state === 'connected', 'the connection');
    client.feed();
    client.feed();
    client.close();
    await client.settled();
    const [connection] = server!.connections;
    assert.equal(connection?.bytes, 'kkkV');
    assert.equal(connection?.hasEnded, true);
    assert.equal(client.state, 'closed');
  });

  it('can open again after a clean close (a new registration)', async () => {
    const client = new WatchdogClient({ socketPath });
    client.open();
    client.close();
    await client.settled();
    client.open();
    client.feed();
    await until(() => server!.connections[1]?.bytes === 'kk', 'the second registration');
    assert.equal(server!.connections[0]?.bytes, 'kV');
    assert.throws(() => client.open(), /already open/);
  });

  it('open throws at once when there is no mux socket', async () => {
    const client = new WatchdogClient({ socketPath: join(dir, 'missing.sock') });
    assert.throws(() => client.open(), (error: Error) => error instanceof WatchdogClientError && error.reason === 'mux-missing' && /missing\.sock does not exist \(ENOENT\)/.test(error.message));
    writeFileSync(join(dir, 'plain'), '');
    assert.throws(() => new WatchdogClient({ socketPath: join(dir, 'plain') }).open(), /is not a socket/);
  });

  it('feed and close fail loudly once the mux is gone, never silently', async () => {
    const client = new WatchdogClient({ socketPath });
    client.open();
    await until(() => server!.connections.length === 1, 'the connection');
    server!.connections[0]!.socket.destroy();
    await until(() => client.state === 'failed', 'the client to notice');
    const result = client.tryFeed();
    assert.equal(result.isOk, false);
    assert.equal(!result.isOk && result.reason, 'mux-gone');
    assert.throws(() => client.feed(), (error: Error) => error instanceof WatchdogClientError && error.reason === 'mux-gone' && error.message.startsWith(`Watchdog mux ${socketPath} is gone`));
    assert.throws(() => client.close(), { name: 'WatchdogClientError' });
  });

  it('a socket file with no mux behind it fails on the next feed', async () => {
    const stale = join(dir, 'stale.sock');
    const killed = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`], { timeout: 10_000 });
    assert.equal(killed.signal, 'SIGKILL');
    const client = new WatchdogClient({ socketPath: stale });
    client.open();
    await until(() => client.state === 'failed', 'the refused connection');
    assert.throws(() => client.feed(), /ECONNREFUSED/);
  });

  it('feed before open and after close are errors', () => {
    const client = new WatchdogClient({ socketPath });
    assert.throws(() => client.feed(), (error: Error) => error instanceof WatchdogClientError && error.reason === 'not-open');
    client.open();
    client.close();
    assert.throws(() => client.feed(), /is not open/);
  });

  it('fails a feed when too many bytes wait unsent', () => {
    const client = new WatchdogClient({ socketPath, bufferedBytesMax: 2 });
    client.open();
    client.feed();
    assert.deepEqual(client.tryFeed(), { isOk: false, reason: 'mux-stuck', message: `Watchdog mux ${socketPath} reads nothing: 2 bytes unsent (limit 2)` });
    client.close();
  });
});
