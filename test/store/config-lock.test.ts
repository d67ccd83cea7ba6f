import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentBootId } from '../../src/store/boot-id.ts';
import { ConfigLockTimeout, LOCK_STALE_MS, ownIdentity, readOwner, tryConfigLock, withConfigLock, type LockIdentity } from '../../src/store/config-lock.ts';

const HOLDER = join(dirname(fileURLToPath(import.meta.url)), 'config-lock-holder.ts');
/** Starting a tsx process on a loaded 2-core machine takes a few seconds. */
const START_MS_MAX = 30_000;

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'ha-lock-'));
}

/** A real process holding the lock with the given identity (its own pid); resolves once it holds it. */
async function startHolder(dir: string, identity: { node: string; host?: string; bootId?: string | undefined }, holdMs: number | 'forever'): Promise<ChildProcess> {
  const args = [dir, identity.node, identity.host ?? hostname(), identity.bootId ?? '-', String(holdMs)];
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`holder did not start within ${START_MS_MAX} ms`)), START_MS_MAX);
    child.stdout!.once('data', (data: Buffer) => {
      clearTimeout(timer);
      resolve(data.toString().trim());
    });
  });
  assert.equal(line, 'taken');
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const me = (node: string): LockIdentity => ownIdentity(node);

describe('config lock', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = freshDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds .config.lock with an owner file naming the HA node, host, boot id and pid while the action runs', () => {
    const owner = withConfigLock(dir, () => readOwner(join(dir, '.config.lock')), { identity: me('node7') });
    assert.deepEqual({ ...owner, wallMs: 0 }, { node: 'node7', host: hostname(), bootId: currentBootId(), pid: process.pid, wallMs: 0 });
    assert.equal(existsSync(join(dir, '.config.lock')), false, 'released after');
  });

  it('releases the lock when the action throws', () => {
    assert.throws(() => withConfigLock(dir, () => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(existsSync(join(dir, '.config.lock')), false);
  });

  it('a try never waits: it says who holds the lock', async () => {
    const holder = await startHolder(dir, { node: 'node1', bootId: currentBootId() }, 'forever');
    try {
      const startMs = Date.now();
      const attempt = tryConfigLock(dir, me('node2'));
      assert.ok(Date.now() - startMs < 1000);
      assert.equal(attempt.kind, 'held');
      assert.equal(attempt.kind === 'held' && attempt.owner?.pid, holder.pid);
    } finally {
      await killHard(holder);
    }
  });

  it('same host and boot id: a live holder is waited for, a holder killed with SIGKILL leaves a lock broken at once', async () => {
    const holder = await startHolder(dir, { node: 'node1', bootId: currentBootId() }, 'forever');
    assert.throws(
      () => withConfigLock(dir, () => 'taken', { waitMsMax: 300, identity: me('node2') }),
      (error: unknown) => error instanceof ConfigLockTimeout && new RegExp(`Config lock held by node node1 pid ${holder.pid} on host ${hostname()}; gave up after \\d+ ms \\(limit 300 ms\\)$`).test(error.message),
    );
    await killHard(holder);
    const startMs = Date.now();
    assert.equal(tryConfigLock(dir, me('node2')).kind, 'taken', 'a dead pid on this boot: stale at once');
    assert.ok(Date.now() - startMs < 1000);
  });

  it('another boot id under the same HA node name: that node rebooted since, the lock is stale at once', async () => {
    const holder = await startHolder(dir, { node: 'node1', bootId: 'boot-before-the-reset' }, 'forever');
    await killHard(holder);
    assert.equal(tryConfigLock(dir, me('node2')).kind, 'held', 'another node cannot judge that boot: the age rule applies');
    assert.equal(tryConfigLock(dir, me('node1')).kind, 'taken', 'node1 itself knows it rebooted since');
  });

  it('another host: its pid means nothing here, only the age rule breaks the lock', async () => {
    const holder = await startHolder(dir, { node: 'node3', host: 'elsewhere', bootId: 'boot-of-elsewhere' }, 'forever');
    await killHard(holder);
    assert.equal(tryConfigLock(dir, me('node1')).kind, 'held');
    const ownerFile = join(dir, '.config.lock', 'owner');
    const owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as { wallMs: number };
    writeFileSync(ownerFile, JSON.stringify({ ...owner, wallMs: Date.now() - LOCK_STALE_MS - 1000 }));
    assert.equal(tryConfigLock(dir, me('node1')).kind, 'taken', `older than ${LOCK_STALE_MS} ms`);
  });

  it('a lock without an owner file yet is judged by the age of its directory', () => {
    mkdirSync(join(dir, '.config.lock'));
    assert.equal(tryConfigLock(dir, me('node1')).kind, 'held');
    const oldS = (Date.now() - LOCK_STALE_MS - 1000) / 1000;
    utimesSync(join(dir, '.config.lock'), oldS, oldS);
    assert.equal(tryConfigLock(dir, me('node1')).kind, 'taken');
  });

  it('a holder that releases in time lets the waiting CLI through', async () => {
    await startHolder(dir, { node: 'node1', bootId: currentBootId() }, 500);
    assert.equal(withConfigLock(dir, () => 'taken', { waitMsMax: 10_000, identity: me('node2') }), 'taken');
  });
});
