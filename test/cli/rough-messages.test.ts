import { strict as assert } from 'node:assert';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ownIdentity, tryConfigLock } from '../../src/store/config-lock.ts';
import { BIN, freshDir, runCli, type CliResult } from './run-cli.ts';

/** The user the permission tests run the CLI as, when the tests run as root (nobody). */
const UNPRIVILEGED_ID = 65534;
/** How long the CLI may take to start and reach the lock on a loaded 2-core machine. */
const CLI_START_MS_MAX = 60_000;

function sharedDir(): string {
  const dir = freshDir();
  writeFileSync(join(dir, 'groups.cfg'), 'group: web\n\tnodes node1,node2\n\n');
  writeFileSync(join(dir, 'resources.cfg'), 'vm: 100\n\tnode node1\n\tgroup web\n\n');
  return dir;
}

/** Runs bin/ha-manager as another user (root only can). */
function runCliAs(uid: number, args: readonly string[]): Promise<CliResult> {
  const env = { ...process.env };
  delete env.HA_MANAGER_DIR;
  return new Promise((done) => {
    execFile(BIN, [...args], { env, uid, gid: uid, timeout: 170_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('ha-manager: the messages the review found rough (issue 10 item 6)', () => {
  it('demo --dir says what the demo does with directories instead of "Unknown argument: dir"', async () => {
    const result = await runCli(['demo', '--dir', freshDir()]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^ha-manager: demo takes no --dir: it builds its own 3-node cluster in a new scratch directory .*, removed at the end, and never touches a real shared directory; drop --dir\n$/);
  });

  it('a missing positional argument is named: crm-command stop without <timeout>', async () => {
    const result = await runCli(['crm-command', 'stop', 'vm:100', '--dir', sharedDir()]);
    assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 2, stderr: 'ha-manager: crm-command stop: missing <timeout> (usage: ha-manager crm-command stop <sid> <timeout>)\n' });
  });

  it('boolean options take yes/no, 1/0, true/false, on/off (any case), as docs/cli.md promises', async () => {
    const dir = sharedDir();
    const plain = (await runCli(['status', '--dir', dir])).stdout;
    const verbose = (await runCli(['status', '--verbose', '--dir', dir])).stdout;
    assert.notEqual(plain, verbose);
    for (const [args, expected] of [
      [['--verbose', 'yes'], verbose],
      [['--verbose', 'No'], plain],
      [['--verbose=1'], verbose],
      [['--verbose', '0'], plain],
      [['--verbose', 'on'], verbose],
      [['--verbose=off'], plain],
      [['--verbose', 'true'], verbose],
    ] as const) {
      const result = await runCli(['status', ...args, '--dir', dir]);
      assert.deepEqual({ code: result.code, stderr: result.stderr, isExpected: result.stdout === expected }, { code: 0, stderr: '', isExpected: true }, args.join(' '));
    }
    const bad = await runCli(['status', '--verbose=maybe', '--dir', dir]);
    assert.deepEqual({ code: bad.code, stderr: bad.stderr }, { code: 2, stderr: "ha-manager: --verbose: expected yes or no (1/0, true/false, on/off), got 'maybe'\n" });
    assert.equal((await runCli(['groupset', 'web', '--restricted', 'Yes', '--nofailback', 'OFF', '--dir', dir])).code, 0);
    assert.match(readFileSync(join(dir, 'groups.cfg'), 'utf8'), /\tnofailback 0\n.*\trestricted 1\n/s);
  });

  it('a write the user may not do is one line naming the path and what to do (EACCES)', async function () {
    if (process.getuid?.() !== 0) this.skip(); // needs root to run the CLI as another user
    const dir = sharedDir();
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'commands'), { mode: 0o755 });
    const add = await runCliAs(UNPRIVILEGED_ID, ['add', 'vm:101', '--node', 'node1', '--dir', dir]);
    assert.deepEqual(add, {
      code: 1,
      stdout: '',
      stderr: `ha-manager: ${dir}/.config.lock: permission denied (EACCES, mkdir): run ha-manager as root, or as a user that may write the shared directory and its files\n`,
    });
    const migrate = await runCliAs(UNPRIVILEGED_ID, ['migrate', 'vm:100', 'node2', '--dir', dir]);
    assert.equal(migrate.code, 1);
    assert.equal(migrate.stderr, `ha-manager: ${dir}/commands/: permission denied (EACCES, open): run ha-manager as root, or as a user that may write the shared directory and its files\n`);
  });

  it('a shared directory on a read-only mount is one line saying so (EROFS)', async function () {
    if (process.getuid?.() !== 0) this.skip(); // mounting needs root
    const dir = sharedDir();
    const mountPoint = join(freshDir(), 'ro');
    mkdirSync(mountPoint);
    try {
      execFileSync('mount', ['--bind', '-o', 'ro', dir, mountPoint], { stdio: 'ignore' });
    } catch {
      this.skip(); // a container without the right to mount
    }
    try {
      const result = await runCli(['set', 'vm:100', '--state', 'stopped', '--dir', mountPoint]);
      assert.deepEqual(result, {
        code: 1,
        stdout: '',
        stderr: `ha-manager: ${mountPoint}/.config.lock: read-only file system (EROFS, mkdir): the shared directory must be mounted read-write; check its mount (mount options, the NFS export) and retry\n`,
      });
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });

  it('while another writer holds the config lock, says once who holds it and how long it waits', async () => {
    const dir = sharedDir();
    const lock = tryConfigLock(dir, ownIdentity('node2'));
    assert.equal(lock.kind, 'taken');
    const child = spawn(BIN, ['set', 'vm:100', '--state', 'stopped', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no lock notice within ${CLI_START_MS_MAX} ms; stderr: ${stderr}`)), CLI_START_MS_MAX);
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
        if (stderr.includes('\n')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    lock.release();
    assert.equal(await exited, 0);
    const host = hostname() === 'node2' ? '' : ` on host ${hostname()}`;
    assert.match(stderr, new RegExp(`^ha-manager: waiting for the config lock ${dir}/\\.config\\.lock: held by node node2${host} \\(pid ${process.pid}\\) since \\d\\d:\\d\\d:\\d\\d UTC; waiting up to 30 s\\nha-manager: warning: no master is active: [^\\n]+\\n$`));
    assert.match(readFileSync(join(dir, 'resources.cfg'), 'utf8'), /\tstate stopped\n/);
  });
});
