import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN_DIR } from '../../src/cluster/cluster-process.ts';
import { FAST_TIMING, haCfgText } from '../../src/cluster/cluster-config.ts';
import { newServiceStatus } from '../../src/common/manager-status.ts';
import { ServiceTable } from '../../src/common/service-table.ts';
import { NodeJournal } from '../../src/env/node-journal.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { DirLeaseStore } from '../../src/store/dir-lease-store.ts';
import { createSharedDirLayout, sharedPaths } from '../../src/store/shared-dir.ts';

/** A daemon that does start gets this long before the test kills it. */
const DAEMON_WAIT_MS = 20_000;

describe('daemon messages: --help, paths it cannot write, waits said at once', function () {
  this.timeout(60_000);
  let root: string;
  let shared: string;
  let mux: Server | undefined;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ha-daemon-messages-'));
    shared = join(root, 'shared');
    mkdirSync(shared);
    createSharedDirLayout(shared);
    writeFileSync(join(shared, 'ha.cfg'), haCfgText(FAST_TIMING, 'conditional', ['node1']));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await new Promise<void>((resolve) => (mux ? mux.close(() => resolve()) : resolve()));
    mux = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  for (const daemon of ['ha-crm', 'ha-lrm', 'ha-watchdog-mux', 'ha-watchdog-emulator']) {
    it(`${daemon} --help: the usage on stdout, exit 0, nothing started`, () => {
      for (const flag of ['--help', '-h']) {
        const result = spawnSync(process.execPath, [join(BIN_DIR, daemon), flag], { encoding: 'utf8', timeout: DAEMON_WAIT_MS, killSignal: 'SIGKILL' });
        assert.equal(result.status, 0, `${daemon} ${flag}: ${result.stderr}`);
        assert.match(result.stdout, new RegExp(`^usage: ${daemon} `));
        assert.match(result.stdout, /--log-format/);
        assert.equal(result.stderr, '');
      }
    });
  }

  /** A stand-in mux that accepts the hello and keeps the connection, ignoring the keepalives. */
  async function acceptingMux(socket: string): Promise<void> {
    mux = createServer((connection) => {
      connection.on('error', () => {});
      connection.once('data', () => connection.write(`${JSON.stringify({ v: 2, accepted: true, claimed: false, deviceTimeoutMs: 2_000, clientTimeoutMsMax: 300_000 })}\n`));
    });
    await new Promise<void>((resolve) => mux!.listen(socket, resolve));
    chmodSync(socket, 0o777);
  }

  /** Starts a daemon; resolves with its stderr once `isDone(stderr)` (and `thenMs` more) or it exited, then kills it. */
  async function runUntil(daemon: 'ha-crm' | 'ha-lrm', args: string[], isDone: (stderr: string) => boolean, command: string[] = [process.execPath], thenMs = 0): Promise<{ stderr: string; exitCode: number | null }> {
    const child = spawn(command[0]!, [...command.slice(1), join(BIN_DIR, daemon), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DAEMON_WAIT_MS);
      child.stderr!.on('data', (data) => {
        stderr += data.toString();
        if (isDone(stderr)) setTimeout(resolve, thenMs);
      });
      void exited.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    const exitCode = child.exitCode;
    child.kill('SIGKILL');
    await exited;
    return { stderr, exitCode };
  }

  it('a state directory it cannot create: one line naming it and what to do, exit 1, no stack trace', async () => {
    writeFileSync(join(root, 'a-file'), '');
    const socket = join(root, 'mux.sock');
    await acceptingMux(socket);
    const { stderr, exitCode } = await runUntil('ha-crm', ['--node', 'node1', '--dir', shared, '--state-dir', join(root, 'a-file', 'state'), '--watchdog-socket', socket], () => false);
    assert.equal(exitCode, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, new RegExp(`node1/crm: Cannot create the journal directory ${root}/a-file/state: a part of the path is a file, not a directory \\(ENOTDIR\\); the state directory \\(--state-dir, default /var/lib/ha-manager\\) must be a writable directory`));
  });

  it("the LRM waiting for its agent lease held by a previous LRM says so at once, and for how long", async () => {
    const socket = join(root, 'mux.sock');
    await acceptingMux(socket);
    // The previous LRM of node1 took the lease and renewed it; this one did not claim its registration.
    // (An LRM asks for its lease only once the master gave the node a service.)
    writeFileSync(join(shared, 'resources.cfg'), 'vm: 100\n\tnode node1\n');
    const status = { masterNode: 'node2', nodeStatus: { node1: 'online' as const }, serviceStatus: ServiceTable.from([['vm:100', newServiceStatus('started', 'node1', 'a1b2c3')]]), nodeRequest: {}, timestampMs: Date.now() };
    assert.deepEqual(new DirStatusStore(shared).writeManagerStatus(status), { kind: 'written' });
    const previous = new DirLeaseStore({ leasesPath: sharedPaths(shared).leases, node: 'node1', leaseTimeoutMs: FAST_TIMING.leaseTimeoutMs });
    assert.equal(previous.acquire('agent.node1', 0), 'taken');
    const startMs = Date.now();
    const { stderr } = await runUntil('ha-lrm', ['--node', 'node1', '--dir', shared, '--state-dir', join(root, 'state'), '--watchdog-socket', socket], (text) => text.includes('waiting for lock'));
    const line = stderr.split('\n').find((text) => text.includes('waiting for lock'));
    assert.ok(line !== undefined, `nothing said about the wait: ${stderr}`);
    assert.ok(Date.now() - startMs < FAST_TIMING.leaseTimeoutMs, 'said before the lease could expire');
    assert.match(line, /notice +node1\/lrm: waiting for lock 'ha_agent_node1_lock' \(agent\.node1 in .*\): held by a previous ha-lrm of node1 .*free once not renewed for 10 s .*within 10 s/);
    assert.equal(stderr.split('\n').filter((text) => text.includes('waiting for lock')).length, 1, 'said once');
  });

  it('a journal whose lock another process holds: said once when it starts failing, the daemon runs on', async () => {
    const socket = join(root, 'mux.sock');
    await acceptingMux(socket);
    const file = join(root, 'state', 'crm.db');
    new NodeJournal(file).close();
    const holder = new Database(file);
    holder.prepare('BEGIN IMMEDIATE').run();
    try {
      const { stderr, exitCode } = await runUntil('ha-crm', ['--node', 'node1', '--dir', shared, '--state-dir', join(root, 'state'), '--watchdog-socket', socket], (text) => text.includes('cannot be written'), undefined, 3 * FAST_TIMING.roundMs);
      assert.equal(exitCode, null, `the daemon runs on: ${stderr}`);
      const said = stderr.split('\n').filter((text) => text.includes(`Journal ${file} cannot be written`));
      assert.equal(said.length, 1, stderr);
      assert.match(said[0]!, /another process holds its lock .*its rows wait in memory \(up to 10000, then the oldest are dropped\)/);
    } finally {
      holder.prepare('ROLLBACK').run();
      holder.close();
    }
  });

  it('a shared directory this user may not write: said once, naming it and what to do', async function () {
    const socket = join(root, 'mux.sock');
    await acceptingMux(socket);
    const state = join(root, 'state');
    mkdirSync(state, { mode: 0o777 });
    chmodSync(state, 0o777);
    chmodSync(root, 0o755);
    // As root the daemon runs as nobody; otherwise the folder is made read-only for this user.
    const isRoot = process.getuid?.() === 0;
    if (!isRoot) chmodSync(sharedPaths(shared).lrmStatusDir, 0o555);
    const command = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath] : [process.execPath];
    const { stderr } = await runUntil('ha-lrm', ['--node', 'node1', '--dir', shared, '--state-dir', state, '--watchdog-socket', socket], (text) => text.includes('cannot write the shared directory'), command);
    const said = stderr.split('\n').filter((text) => text.includes('cannot write the shared directory'));
    assert.equal(said.length, 1, stderr);
    assert.match(said[0]!, new RegExp(`err +node1/lrm: Cannot .*: EACCES; this node cannot write the shared directory ${shared}: run the daemons as root`));
  });
});
