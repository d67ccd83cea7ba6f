import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN_DIR } from '../../src/cluster/cluster-process.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';

/** Runs a daemon that is expected to refuse to start; bounded so a daemon that does start cannot hang the test. */
function runDaemon(daemon: 'ha-crm' | 'ha-lrm', args: string[]) {
  const result = spawnSync(process.execPath, [join(BIN_DIR, daemon), ...args], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  return { status: result.status, stderr: result.stderr.trim() };
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
});
