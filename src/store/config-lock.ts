import { mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { currentBootId } from './boot-id.ts';
import { sharedPaths } from './shared-dir.ts';

/**
 * The config lock of a shared directory (docs/shared-dir.md): `mkdir .config.lock` takes it, only one
 * caller's mkdir succeeds; `owner` inside says who holds it; `rmdir` releases it.
 *
 * A lock left behind is recognised by its owner's liveness, judged from the `owner` file (the HA node
 * name, the host name and its boot id, the pid) by the one who finds it:
 * - same host and same boot id: the pid means something here, and a dead pid is a stale lock at once;
 * - the same HA node name but another boot id: that node rebooted since it took the lock (stale);
 * - otherwise (another node, or no owner file yet): stale once older than LOCK_STALE_MS.
 * A stale lock is broken by renaming it away.
 *
 * `tryConfigLock` is one attempt that never waits. The CLI waits for the lock by repeating it
 * (`withConfigLock`, a command may block); a daemon never waits inside a round: its writer retries
 * between rounds (src/env/resource-update-writer.ts).
 */

/** A holder does one read-modify-write of a few small files; a lock this old belongs to a hung or dead writer. */
export const LOCK_STALE_MS = 60_000;
/** How long a CLI command waits for the lock: long enough for dozens of queued writers on a loaded machine. */
export const LOCK_WAIT_MS_MAX = 30_000;
/** A wait longer than this is worth a word to the operator (who holds it, how long we wait); shorter ones are routine. */
export const LOCK_NOTICE_MS = 1_000;
/** Polling interval bounds; randomised so that waiting writers do not retry in lockstep. */
const RETRY_MIN_MS = 2;
const RETRY_MAX_MS = 25;

export class ConfigLockTimeout extends Error {
  override name = 'ConfigLockTimeout';
}

/** Who takes the lock: written into `owner`, and what an owner found there is judged against. */
export interface LockIdentity {
  /** The HA node name (a daemon's --node; the host name for the CLI). */
  readonly node: string;
  readonly host: string;
  /** Undefined where the host has none (not Linux): then only the age rule applies. */
  readonly bootId: string | undefined;
  readonly pid: number;
}

export interface LockOwner extends LockIdentity {
  readonly wallMs: number;
}

/** This process, acting for HA node `node` (default: the host name, as for the CLI). */
export function ownIdentity(node: string = hostname()): LockIdentity {
  return { node, host: hostname(), bootId: currentBootId(), pid: process.pid };
}

export type LockAttempt = { readonly kind: 'taken'; readonly release: () => void } | { readonly kind: 'held'; readonly owner: LockOwner | undefined };

let breakCounter = 0;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * One attempt at the config lock of `sharedDir`; never waits. A stale lock is broken first. 'held'
 * names the owner when its file could be read. Throws when the directory cannot be written at all.
 */
export function tryConfigLock(sharedDir: string, identity: LockIdentity): LockAttempt {
  const lockPath = sharedPaths(sharedDir).configLock;
  if (tryTake(lockPath, identity)) return { kind: 'taken', release: () => release(lockPath) };
  if (breakIfStale(lockPath, identity) && tryTake(lockPath, identity)) return { kind: 'taken', release: () => release(lockPath) };
  return { kind: 'held', owner: readOwner(lockPath) };
}

/** Options of `withConfigLock`. */
export interface LockWaitOptions {
  readonly waitMsMax?: number;
  readonly identity?: LockIdentity;
  /** Called once when the lock is still held after LOCK_NOTICE_MS (the CLI tells the operator who holds it). */
  readonly onWaiting?: (wait: { readonly lockPath: string; readonly owner: LockOwner | undefined; readonly waitMsMax: number }) => void;
}

/**
 * Runs `action` while holding the config lock of `sharedDir`, waiting for it synchronously up to
 * `waitMsMax` (the CLI: a command may block, a daemon's round may not); releases it however `action` ends.
 */
export function withConfigLock<T>(sharedDir: string, action: () => T, options: LockWaitOptions = {}): T {
  const waitMsMax = options.waitMsMax ?? LOCK_WAIT_MS_MAX;
  const identity = options.identity ?? ownIdentity();
  const startMs = Date.now();
  let isNoticeDue = options.onWaiting !== undefined;
  for (;;) {
    const attempt = tryConfigLock(sharedDir, identity);
    if (attempt.kind === 'taken') {
      try {
        return action();
      } finally {
        attempt.release();
      }
    }
    const waitedMs = Date.now() - startMs;
    if (waitedMs > waitMsMax) throw new ConfigLockTimeout(`${sharedPaths(sharedDir).configLock}: Config lock held by ${describeOwner(attempt.owner)}; gave up after ${waitedMs} ms (limit ${waitMsMax} ms)`);
    if (isNoticeDue && waitedMs >= LOCK_NOTICE_MS) {
      isNoticeDue = false;
      options.onWaiting?.({ lockPath: sharedPaths(sharedDir).configLock, owner: attempt.owner, waitMsMax });
    }
    Atomics.wait(sleepCell, 0, 0, RETRY_MIN_MS + Math.floor(Math.random() * (RETRY_MAX_MS - RETRY_MIN_MS)));
  }
}

/** `node node1 (host h, pid 123)`, or 'an unknown writer' (between its mkdir and its owner file). */
export function describeOwner(owner: LockOwner | undefined): string {
  return owner ? `node ${owner.node} pid ${owner.pid}${owner.host !== owner.node ? ` on host ${owner.host}` : ''}` : 'an unknown writer';
}

function tryTake(lockPath: string, identity: LockIdentity): boolean {
  try {
    mkdirSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`${lockPath}: Cannot take the config lock: ${(error as Error).message}`, { cause: error });
  }
  const owner: LockOwner = { ...identity, wallMs: Date.now() };
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
    // Owner files written before the host and boot id were recorded named the host as the node.
    const host = typeof owner.host === 'string' ? owner.host : owner.node;
    const bootId = typeof owner.bootId === 'string' ? owner.bootId : undefined;
    return { node: owner.node, host, bootId, pid: owner.pid, wallMs: owner.wallMs };
  } catch {
    return undefined;
  }
}

/** Breaks the lock when it is stale; true when it was broken here. */
function breakIfStale(lockPath: string, identity: LockIdentity): boolean {
  const owner = readOwner(lockPath);
  if (!isStale(lockPath, owner, identity)) return false;
  const aside = `${lockPath}.stale.${identity.host}.${identity.pid}.${breakCounter++}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return false; // Someone else broke or released it first.
  }
  // Between our look and the rename the lock may have been broken and taken afresh by another writer:
  // then we moved a live lock. Put it back; if that fails the other writer is already racing a new one.
  if (JSON.stringify(readOwner(aside)) !== JSON.stringify(owner)) {
    try {
      renameSync(aside, lockPath);
      return false;
    } catch {
      // Fall through and clean up.
    }
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

/** The liveness rules of the file comment, then the age rule. */
export function isStale(lockPath: string, owner: LockOwner | undefined, identity: LockIdentity): boolean {
  let ageMs: number;
  try {
    ageMs = Date.now() - (owner?.wallMs ?? statSync(lockPath).mtimeMs);
  } catch {
    return false; // Released meanwhile.
  }
  if (ageMs > LOCK_STALE_MS) return true;
  if (!owner || owner.bootId === undefined || identity.bootId === undefined) return false;
  const isSameBoot = owner.bootId === identity.bootId && owner.host === identity.host;
  if (isSameBoot) return !isProcessAlive(owner.pid);
  return owner.node === identity.node;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
