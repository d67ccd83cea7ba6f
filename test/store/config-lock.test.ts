import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigLockTimeout, LOCK_STALE_MS, withConfigLock } from '../../src/store/config-lock.ts';

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'ha-lock-'));
}

function plantLock(dir: string, owner: { node: string; pid: number; wallMs: number }): string {
  const lock = join(dir, '.config.lock');
  mkdirSync(lock);
  writeFileSync(join(lock, 'owner'), JSON.stringify(owner));
  return lock;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('config lock', () => {
  it('holds .config.lock with an owner file while the action runs, and releases it after', () => {
    const dir = freshDir();
    const seen = withConfigLock(dir, () => existsSync(join(dir, '.config.lock', 'owner')));
    assert.equal(seen, true);
    assert.equal(existsSync(join(dir, '.config.lock')), false);
  });

  it('releases the lock when the action throws', () => {
    const dir = freshDir();
    assert.throws(() => withConfigLock(dir, () => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(existsSync(join(dir, '.config.lock')), false);
  });

  it('waits for a live holder and gives up with who holds it', () => {
    const dir = freshDir();
    plantLock(dir, { node: hostname(), pid: process.pid, wallMs: Date.now() });
    assert.throws(
      () => withConfigLock(dir, () => 'taken', { waitMsMax: 150 }),
      (error: unknown) => error instanceof ConfigLockTimeout && new RegExp(`Config lock held by node ${hostname()} pid ${process.pid}; gave up after \\d+ ms \\(limit 150 ms\\)$`).test(error.message),
    );
    assert.equal(existsSync(join(dir, '.config.lock', 'owner')), true, 'a live lock is not broken');
  });

  it('breaks a lock whose owner process on this node is gone', () => {
    const dir = freshDir();
    plantLock(dir, { node: hostname(), pid: deadPid(), wallMs: Date.now() });
    assert.equal(withConfigLock(dir, () => 'taken', { waitMsMax: 2000 }), 'taken');
  });

  it('breaks a lock older than the stale limit, even of another node', () => {
    const dir = freshDir();
    plantLock(dir, { node: 'elsewhere', pid: 1, wallMs: Date.now() - LOCK_STALE_MS - 1000 });
    assert.equal(withConfigLock(dir, () => 'taken', { waitMsMax: 2000 }), 'taken');
  });

  it('does not break a fresh lock of another node', () => {
    const dir = freshDir();
    plantLock(dir, { node: 'elsewhere', pid: 1, wallMs: Date.now() });
    assert.throws(() => withConfigLock(dir, () => 'taken', { waitMsMax: 100 }), ConfigLockTimeout);
  });
});
