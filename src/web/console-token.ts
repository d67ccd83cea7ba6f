import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The console's token (issue 13): a secret in a root-only file, created on first use with mode 0600.
 * Whoever may read the file may change the cluster through the console, as whoever may run
 * `ha-manager` as root may through the CLI. The token itself is never printed or logged: `ha-manager
 * web` says where the file is.
 */
/** Beside the node's journals, on its own disk: the shared directory may be readable by every node's users. */
export const TOKEN_FILE_NAME = 'web.token';
/** 32 random bytes: far beyond guessing, short enough to paste. */
const TOKEN_BYTES = 32;
/** A shorter token written by hand is refused: it could be guessed over the network. */
const TOKEN_LENGTH_MIN = 16;

/** A token file that cannot be used: one line, naming the file and the cure. */
export class TokenFileError extends Error {
  override name = 'TokenFileError';
}

/** The token of `file`, created (mode 0600, directory 0700 when new) when it does not exist. */
export function readOrCreateToken(file: string): { token: string; isCreated: boolean } {
  let isCreated = false;
  if (!exists(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    isCreated = createTokenFile(file);
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new TokenFileError(`Token file ${file} may be read by others (mode ${mode.toString(8).padStart(4, '0')}): run 'chmod 600 ${file}'`);
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < TOKEN_LENGTH_MIN || /\s/.test(token)) {
    throw new TokenFileError(`Token file ${file} holds no usable token (one word of at least ${TOKEN_LENGTH_MIN} characters expected): remove it and a new one is made`);
  }
  return { token, isCreated };
}

/** Creates the file exclusively; false when another process created it first (its token is used). */
function createTokenFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${randomBytes(TOKEN_BYTES).toString('base64url')}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
