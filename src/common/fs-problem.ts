/**
 * One line for a file-system error a daemon meets on a path it needs: which path, what the error code
 * means, and what the operator can do — instead of Node's `EACCES: permission denied, mkdir '…'` with
 * no word about which of the daemon's paths it was or why it matters.
 */

/** The errno-style code of a Node file-system error (`EACCES`), or undefined for any other error. */
export function errnoCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/** The codes that say "this process may not write there": permissions, or a read-only mount. */
export const NOT_WRITABLE_CODES: readonly string[] = ['EACCES', 'EPERM', 'EROFS'];

const MEANING: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the filesystem is mounted read-only',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'a part of the path does not exist',
  ENOSPC: 'no space left on the device',
  EISDIR: 'it is a directory',
};

/**
 * `Cannot create the journal directory /var/lib/ha-manager: permission denied (EACCES); <remedy>`.
 * `what` names the path's role for the daemon; `remedy` says what to do. Undefined when `error` is no
 * file-system error (a bug, which the caller rethrows).
 */
export function fsProblemLine(what: string, path: string, error: unknown, remedy: string): string | undefined {
  const code = errnoCodeOf(error);
  if (code === undefined) return undefined;
  const meaning = MEANING[code];
  const how = NOT_WRITABLE_CODES.includes(code) ? `${remedy}: run the daemon as root or give its user write access there, on a filesystem mounted read-write` : remedy;
  return `Cannot ${what} ${path}: ${meaning === undefined ? code : `${meaning} (${code})`}; ${how}`;
}
