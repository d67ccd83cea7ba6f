import { watch, type FSWatcher } from 'chokidar';
import { basename } from 'node:path';

/**
 * chokidar on a shared directory, reporting changes of the named files. A module of its own so that
 * only a watching process loads chokidar (an ES module: loading it from the CLI's CommonJS bundle starts
 * Node's ES module loader, some 15 ms of every plain `status`, which never watches).
 */
export function watchDirFiles(root: string, names: ReadonlySet<string>, onChange: () => void, onProblem: (message: string) => void): FSWatcher {
  const watcher = watch(root, { depth: 0, ignoreInitial: true, followSymlinks: true });
  watcher.on('all', (_event, path) => {
    if (names.has(basename(path))) onChange();
  });
  watcher.on('error', (error) => onProblem(`Watching ${root} failed: ${(error as Error).message}`));
  return watcher;
}
