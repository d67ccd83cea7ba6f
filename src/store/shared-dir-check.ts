import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One property of the shared filesystem that the dir store relies on (docs/shared-dir.md). */
export interface FilesystemCheck {
  readonly name: string;
  readonly isOk: boolean;
  readonly detail: string;
}

/**
 * Checks, in a scratch directory under `root` that it removes again, what the dir store's correctness
 * rests on: `mkdir` of an existing directory fails (taking a lease is `mkdir` of its next generation,
 * and exactly one contender may win), `rename` over an existing file replaces it whole (heartbeats and
 * status files), and a file just written is found by a fresh lookup by name and in the listing (NFS
 * without `lookupcache=none` can answer from a stale cache). A node can only check its own view: that
 * another node sees the same is what the mount options (docs/shared-dir.md) are for.
 */
export function checkSharedFilesystem(root: string, pid: number = process.pid): FilesystemCheck[] {
  const scratch = join(root, `.init-check-${pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch);
  try {
    return [checkAtomicMkdir(scratch), checkAtomicRename(scratch), checkFreshLookup(scratch)];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function checkAtomicMkdir(scratch: string): FilesystemCheck {
  const name = 'mkdir is exclusive';
  const dir = join(scratch, 'lease.1');
  mkdirSync(dir);
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { name, isOk: true, detail: 'a second mkdir of the same directory fails with EEXIST' };
    return { name, isOk: false, detail: `a second mkdir failed with ${code}, not EEXIST` };
  }
  return { name, isOk: false, detail: 'a second mkdir of the same directory succeeded: two nodes could take one lease' };
}

function checkAtomicRename(scratch: string): FilesystemCheck {
  const name = 'rename replaces a file whole';
  const target = join(scratch, 'heartbeat');
  writeFileSync(target, 'old');
  const next = 'new heartbeat, longer than the old one';
  writeFileSync(`${target}.tmp`, next);
  renameSync(`${target}.tmp`, target);
  const read = readFileSync(target, 'utf8');
  if (read !== next) return { name, isOk: false, detail: `after rename over it the file reads ${JSON.stringify(read.slice(0, 60))}` };
  if (readdirSync(scratch).includes('heartbeat.tmp')) return { name, isOk: false, detail: 'the renamed file is still listed under its old name' };
  return { name, isOk: true, detail: 'a file renamed over another reads as the new one, and its old name is gone' };
}

function checkFreshLookup(scratch: string): FilesystemCheck {
  const name = 'a new file is visible at once';
  const file = join(scratch, 'status.json');
  const text = '{"written":"now"}';
  writeFileSync(file, text);
  const isListed = readdirSync(scratch).includes('status.json');
  let size: number | undefined;
  try {
    size = statSync(file).size;
  } catch {
    size = undefined;
  }
  if (!isListed || size !== text.length) {
    return { name, isOk: false, detail: `a file just written is ${isListed ? 'listed' : 'not listed'} and ${size === undefined ? 'not found by name' : `${size} bytes by name`} (NFS: mount with lookupcache=none)` };
  }
  return { name, isOk: true, detail: 'a file just written is listed and found by name with its full size' };
}
