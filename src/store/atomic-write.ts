import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hostname } from 'node:os';

let tempCounter = 0;

/**
 * Writes `content` to `path` so that a reader sees the old file or the new one, never half: write a
 * temporary file in the same directory, fsync it, rename it over `path`, fsync the directory. `mode`
 * (default 0644, less the umask) is the temporary file's from its creation, so a file of secrets
 * (fence.cfg, 0600) is never readable by others, not even for a moment.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: { readonly mode?: number } = {}): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.tmp.${hostname()}.${process.pid}.${tempCounter++}`);
  const fd = openSync(temp, 'w', options.mode ?? 0o644);
  try {
    writeAll(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
  syncDirectory(dir);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** Makes a rename or create in `dir` durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
