import { basename, dirname } from 'node:path';
import { AssertionError } from '../common/assert.ts';
import { ConfigRefused } from '../config/config-edit.ts';
import { ConfigError } from '../config/section-config.ts';
import { StoreConfigError } from '../config/store-selection.ts';
import { ExitCode, UsageError } from './exit-codes.ts';

/** How deep a chain of `cause`s is searched for the file system error underneath. */
const CAUSE_DEPTH_MAX = 5;

/**
 * Prints an error of a command as one line and picks the exit status: 2 for the caller's input, 1 for
 * the rest. Loaded only when a command failed (it imports the config modules whose errors it sorts).
 */
export function reportError(error: unknown): number {
  if (error instanceof AssertionError) throw error;
  const message = deniedMessage(error) ?? oneLineMessage(error);
  process.stderr.write(`ha-manager: ${message}\n`);
  return isBadInput(error) ? ExitCode.badInput : ExitCode.failure;
}

/**
 * The caller's fault (exit 2): a bad argument, a refused config change, a config file that does not
 * parse, a bad store selection (--store, --endpoints, HA_MANAGER_STORE, a line of store.cfg).
 */
export function isBadInput(error: unknown): boolean {
  return error instanceof UsageError || error instanceof ConfigError || error instanceof ConfigRefused || error instanceof StoreConfigError;
}

/** An error's message as one line, as the CLI prints it (and the web consoles answer it). */
export function oneLineMessage(error: unknown): string {
  return ((error as Error).message ?? String(error)).replace(/\s*\n\s*/g, ' ');
}

/**
 * A file the command may not write (or read): the path, why, and what to do, instead of Node's
 * `EACCES: permission denied, mkdir '...'` wrapped in whatever the command was doing.
 */
export function deniedMessage(error: unknown): string | undefined {
  const denied = fileSystemCause(error);
  if (denied === undefined) return undefined;
  const { code, syscall } = denied;
  // A temporary file of an atomic write (.name.tmp.<host>.<pid>.<n>) says nothing: name its directory.
  const path = /^\..*\.tmp\./.test(basename(denied.path)) ? `${dirname(denied.path)}/` : denied.path;
  if (code === 'EROFS') {
    return `${path}: read-only file system (${code}, ${syscall}): the shared directory must be mounted read-write; check its mount (mount options, the NFS export) and retry`;
  }
  return `${path}: permission denied (${code}, ${syscall}): run ha-manager as root, or as a user that may write the shared directory and its files`;
}

function fileSystemCause(error: unknown): { code: string; syscall: string; path: string } | undefined {
  let current = error;
  for (let depth = 0; depth < CAUSE_DEPTH_MAX && current instanceof Error; depth++) {
    const { code, syscall, path } = current as NodeJS.ErrnoException;
    if ((code === 'EACCES' || code === 'EPERM' || code === 'EROFS') && path !== undefined) return { code, syscall: syscall ?? 'access', path };
    current = current.cause;
  }
  return undefined;
}
