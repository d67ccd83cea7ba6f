// Loads the entry module of an executable in bin/ (a daemon's, the CLI's): dist/<path>.js when the
// build is fresh, else <path>.ts through tsx. Fresh means dist/.build-stamp (written by `npm run build`)
// is newer than every file under src/; the check is a walk of src/ (about 200 stat calls, 1-3 ms on an
// idle machine), cheap beside the 0.3-0.5 s tsx would add to every CLI command.
// HA_MANAGER_TSX=1 forces the sources; HA_MANAGER_DIST=1 forces dist/ (a bench that built it itself,
// while others edit src/).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A source tree deeper or larger than this is not ours: use tsx rather than walk on. */
const SOURCE_FILES_MAX = 5_000;

function newestSourceMs(dir, budget) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (--budget.files < 0) return Infinity;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(path, budget) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when `root`/dist/.build-stamp exists and is at least as new as every file under `root`/src. */
export function isBuildFresh(root = ROOT) {
  try {
    const stampMs = statSync(join(root, 'dist', '.build-stamp')).mtimeMs;
    return stampMs >= newestSourceMs(join(root, 'src'), { files: SOURCE_FILES_MAX });
  } catch {
    return false;
  }
}

export async function loadDaemonModule(path) {
  const isDistForced = process.env.HA_MANAGER_DIST === '1' && existsSync(join(ROOT, 'dist', '.build-stamp'));
  if (process.env.HA_MANAGER_TSX !== '1' && (isDistForced || isBuildFresh())) return import(pathToFileURL(join(ROOT, 'dist', `${path}.js`)).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(ROOT, `${path}.ts`)).href);
}
