import { mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sharedPaths } from './shared-dir.ts';

/**
 * The config lock of a shared directory (docs/shared-dir.md): `mkdir .config.lock` takes it, only one
 * caller's mkdir succeeds; `owner` inside says who holds it; `rmdir` releases it. A lock whose owner
 * process is gone (same node, pid not alive) or that is older than LOCK_STALE_MS is broken by renaming
 * it away. The lock is synchronous because the daemons' config port is synchronous.
 */

/** A holder does one read-modify-write of a few small files; a lock this old belongs to a hung or dead writer. */
export const LOCK_STALE_MS = 60_000;
/** How long a writer waits for the lock: long enough for dozens of queued writers on a loaded machine. */
export const LOCK_WAIT_MS_MAX = 30_000;
/** Polling interval bounds; randomised so that waiting writers do not retry in lockstep. */
const RETRY_MIN_MS = 2;
const RETRY_MAX_MS = 25;

export class ConfigLockTimeout extends Error {
  override name = 'ConfigLockTimeout';
}

export interface LockOwner {
  readonly node: string;
  readonly pid: number;
  readonly wallMs: number;
}

let breakCounter = 0;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Runs `action` while holding the config lock of `sharedDir`; releases it however `action` ends. */
export function withConfigLock<T>(sharedDir: string, action: () => T, options: { waitMsMax?: number } = {}): T {
  const lockPath = sharedPaths(sharedDir).configLock;
  const waitMsMax = options.waitMsMax ?? LOCK_WAIT_MS_MAX;
  const startMs = Date.now();
  while (!tryTake(lockPath)) {
    breakIfStale(lockPath);
    const waitedMs = Date.now() - startMs;
    if (waitedMs > waitMsMax) {
      const owner = readOwner(lockPath);
      const who = owner ? `node ${owner.node} pid ${owner.pid}` : 'an unknown writer';
      throw new ConfigLockTimeout(`${lockPath}: Config lock held by ${who}; gave up after ${waitedMs} ms (limit ${waitMsMax} ms)`);
    }
    Atomics.wait(sleepCell, 0, 0, RETRY_MIN_MS + Math.floor(Math.random() * (RETRY_MAX_MS - RETRY_MIN_MS)));
  }
  try {
    return action();
  } finally {
    release(lockPath);
  }
}

function tryTake(lockPath: string): boolean {
  try {
    mkdirSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`${lockPath}: Cannot take the config lock: ${(error as Error).message}`);
  }
  const owner: LockOwner = { node: hostname(), pid: process.pid, wallMs: Date.now() };
  writeFileSync(join(lockPath, 'owner'), JSON.stringify(owner));
  return true;
}

function release(lockPath: string): void {
  try {
    unlinkSync(join(lockPath, 'owner'));
  } catch {
    // A missing owner file does not keep the lock from being released.
  }
  rmdirSync(lockPath);
}

/** The holder of the lock, when it can be read (a writer between mkdir and writing `owner` has none yet). */
export function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(lockPath, 'owner'), 'utf8')) as Partial<LockOwner>;
    if (typeof owner.node !== 'string' || typeof owner.pid !== 'number' || typeof owner.wallMs !== 'number') return undefined;
    return owner as LockOwner;
  } catch {
    return undefined;
  }
}

function breakIfStale(lockPath: string): void {
  const owner = readOwner(lockPath);
  if (!isStale(lockPath, owner)) return;
  const aside = `${lockPath}.stale.${hostname()}.${process.pid}.${breakCounter++}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // Someone else broke or released it first.
  }
  // Between our look and the rename the lock may have been broken and taken afresh by another writer:
  // then we moved a live lock. Put it back; if that fails the other writer is already racing a new one.
  if (JSON.stringify(readOwner(aside)) !== JSON.stringify(owner)) {
    try {
      renameSync(aside, lockPath);
      return;
    } catch {
      // Fall through and clean up.
    }
  }
  rmSync(aside, { recursive: true, force: true });
}

function isStale(lockPath: string, owner: LockOwner | undefined): boolean {
  let ageMs: number;
  try {
    ageMs = Date.now() - (owner?.wallMs ?? statSync(lockPath).mtimeMs);
  } catch {
    return false; // Released meanwhile.
  }
  if (ageMs > LOCK_STALE_MS) return true;
  if (!owner || owner.node !== hostname()) return false;
  return !isProcessAlive(owner.pid);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
