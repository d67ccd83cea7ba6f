import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN_DIR } from '../../src/cluster/cluster-process.ts';
import { FAST_TIMING, haCfgText } from '../../src/cluster/cluster-config.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';
import { firstLineOf } from './daemon-output.ts';

/** Runs a daemon that is expected to refuse to start; bounded so a daemon that does start cannot hang the test. */
function runDaemon(daemon: 'ha-crm' | 'ha-lrm', args: string[]) {
  const result = spawnSync(process.execPath, [join(BIN_DIR, daemon), ...args], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  return { status: result.status, stderr: result.stderr.trim() };
}

/** The same, without blocking this process: a stand-in mux in this process must answer meanwhile. */
async function runDaemonAsync(daemon: 'ha-crm' | 'ha-lrm', args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(BIN_DIR, daemon), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (data) => (stderr += data.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, stderr: stderr.trim() };
}

describe('ha-crm and ha-lrm refuse to start without what they need', function () {
  this.timeout(60_000);
  let root: string;
  let shared: string;
  let mux: Server | undefined;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ha-daemon-start-'));
    shared = join(root, 'shared');
    mkdirSync(shared);
    createSharedDirLayout(shared);
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (mux ? mux.close(() => resolve()) : resolve()));
    mux = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  it('without a watchdog mux socket: exit 1, one line naming the socket, no services run unprotected', () => {
    const socket = join(root, 'no-mux.sock');
    const { status, stderr } = runDaemon('ha-lrm', ['--node', 'node1', '--dir', shared, '--state-dir', join(root, 'state'), '--watchdog-socket', socket]);
    assert.equal(status, 1);
    assert.match(stderr, new RegExp(`Watchdog mux socket ${socket} is missing \\(ENOENT\\).*no services run unprotected`));
  });

  it('with a bad flag: exit 2 and the usage', () => {
    const { status, stderr } = runDaemon('ha-crm', ['--nodes', 'node1']);
    assert.equal(status, 2);
    assert.match(stderr, /Unknown option '--nodes'[\s\S]*usage: ha-crm/);
  });

  it('with a bad store flag: exit 2, one line naming the flag, and the usage; with a bad store file: exit 2, one line naming file and line', () => {
    const flag = runDaemon('ha-crm', ['--node', 'node1', '--store', 'etcd', '--endpoints', 'localhost:2379']);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /^ha-crm: --endpoints: 'localhost:2379' is not an etcd endpoint \(http\(s\):\/\/host:port\)\nusage: ha-crm /);
    const storeCfg = join(root, 'store.cfg');
    writeFileSync(storeCfg, '# this node\nstore: etcd\n');
    const env: NodeJS.ProcessEnv = { ...process.env, HA_MANAGER_STORE_CFG: storeCfg };
    delete env.HA_MANAGER_STORE;
    delete env.HA_MANAGER_DIR;
    const file = spawnSync(process.execPath, [join(BIN_DIR, 'ha-lrm'), '--node', 'node1'], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL', env });
    assert.equal(file.status, 2);
    assert.equal(file.stderr, `ha-lrm: Bad store file ${storeCfg}:2: store: etcd needs an 'endpoints' line\n`);
  });

  it('with its etcd out of reach: says at once that it waits, naming the store, and starts nothing', async () => {
    const child = spawn(process.execPath, [join(BIN_DIR, 'ha-lrm'), '--node', 'node1', '--store', 'etcd', '--endpoints', 'http://127.0.0.1:1', '--state-dir', join(root, 'state'), '--watchdog-socket', join(root, 'mux.sock')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const { stderr, isWaiting } = await firstLineOf(child);
    assert.ok(isWaiting, `the daemon exited instead of waiting: ${stderr}`);
    assert.match(stderr.split('\n')[0]!, /^.*The etcd store etcd http:\/\/127\.0\.0\.1:1 \/ha-manager\/ is unreachable \(.+\): etcd is down, has no majority, or this node is cut off from it; waiting up to 120 s for it$/);
  });

  it('with a config that does not parse: exit 1 naming file and line; with --emulated-watchdog it says so loudly first', async () => {
    const socket = join(root, 'mux.sock');
    mux = createServer(() => {});
    await new Promise<void>((resolve) => mux!.listen(socket, resolve));
    writeFileSync(join(shared, 'resources.cfg'), 'vm: 101\n\tnode node1\n\tspeed fast\n');
    const { status, stderr } = runDaemon('ha-crm', ['--node', 'node1', '--dir', shared, '--state-dir', join(root, 'state'), '--watchdog-socket', socket, '--emulated-watchdog']);
    assert.equal(status, 1);
    assert.match(stderr, /WARNING: node1 runs with an EMULATED watchdog/);
    assert.match(stderr, /config does not load: .*resources\.cfg:3: /);
  });

  it("for a node ha.cfg does not declare (when it declares any): exit 1 at once, one line naming 'ha-manager node add'", async () => {
    const socket = join(root, 'mux.sock');
    mux = createServer(() => {});
    await new Promise<void>((resolve) => mux!.listen(socket, resolve));
    writeFileSync(join(shared, 'ha.cfg'), haCfgText(FAST_TIMING, 'conditional', ['node1', 'node2']));
    for (const daemon of ['ha-crm', 'ha-lrm'] as const) {
      const { status, stderr } = runDaemon(daemon, ['--node', 'node3', '--dir', shared, '--state-dir', join(root, 'state'), '--watchdog-socket', socket]);
      assert.equal(status, 1, daemon);
      const problem = `node3/${daemon.slice('ha-'.length)}: Node 'node3' is not declared in ${shared}/ha.cfg (declared: node1, node2): run 'ha-manager node add node3' first, or start with the right --node`;
      assert.equal(stderr.split('\n').length, 1, stderr);
      assert.ok(/^\S+ err +/.test(stderr) && stderr.endsWith(problem), stderr);
    }
  });

  /** A stand-in mux that answers every hello with `reply`. */
  async function fakeMux(socket: string, reply: object): Promise<void> {
    mux = createServer((connection) => {
      connection.on('error', () => {}); // the daemon exits right after reading the reply
      connection.once('data', () => connection.end(`${JSON.stringify(reply)}\n`));
    });
    await new Promise<void>((resolve) => mux!.listen(socket, resolve));
  }

  it('with a hello the mux refuses: exit 1, one line with the reason', async () => {
    const socket = join(root, 'mux.sock');
    await fakeMux(socket, { v: 2, accepted: false, reason: "lrm (pid 9) announces a timeout of 400000 ms, above this mux's ceiling of 300000 ms (--client-timeout-max)" });
    const { status, stderr } = await runDaemonAsync('ha-lrm', ['--node', 'node1', '--dir', shared, '--state-dir', join(root, 'state'), '--watchdog-socket', socket]);
    assert.equal(status, 1);
    assert.match(stderr, /lrm could not register: refused: lrm \(pid 9\) announces a timeout of 400000 ms, above this mux's ceiling of 300000 ms \(--client-timeout-max\); no services run unprotected/);
  });

  it("with a watchdog device slower than ha.cfg allows: exit 1 naming the device's timeout and the rule", async () => {
    const socket = join(root, 'mux.sock');
    writeFileSync(join(shared, 'ha.cfg'), haCfgText(FAST_TIMING, 'conditional', ['node1']));
    await fakeMux(socket, { v: 2, accepted: true, claimed: false, deviceTimeoutMs: 10_000, clientTimeoutMsMax: 300_000 });
    const { status, stderr } = await runDaemonAsync('ha-crm', ['--node', 'node1', '--dir', shared, '--state-dir', join(root, 'state'), '--watchdog-socket', socket]);
    assert.equal(status, 1);
    assert.match(stderr, /Unsafe timing: the watchdog device's actual timeout is 10000 ms \(ha.cfg assumes 2000 ms\): fence_timeout 10 s must exceed .*watchdog_device_timeout 10 s .* = 16333 ms/);
  });

  it("with no layout in the shared directory: says at once that it waits, naming 'ha-manager init', and starts nothing", async () => {
    const bare = join(root, 'bare');
    mkdirSync(bare);
    const socket = join(root, 'mux.sock');
    mux = createServer(() => {});
    await new Promise<void>((resolve) => mux!.listen(socket, resolve));
    const child = spawn(process.execPath, [join(BIN_DIR, 'ha-lrm'), '--node', 'node1', '--dir', bare, '--state-dir', join(root, 'state'), '--watchdog-socket', socket], { stdio: ['ignore', 'ignore', 'pipe'] });
    const { stderr, isWaiting } = await firstLineOf(child);
    assert.ok(isWaiting, `the daemon exited instead of waiting: ${stderr}`);
    assert.match(stderr.split('\n')[0]!, new RegExp(`^.*Shared directory ${bare} has no ${bare}/leases: the shared filesystem is not mounted yet, or the cluster was never set up \\(run 'ha-manager init --dir ${bare}' once, on one node\\); waiting up to 120 s for it`));
    assert.equal(existsSync(join(bare, 'leases')), false, 'a daemon never creates the layout');
  });
});

