// Starts an executable of bin/ (the CLI, a daemon) from what `npm run build` made (build/build.mjs)
// when that is fresh, else from the TypeScript sources through tsx: either way what runs is what is
// checked out. CommonJS (bin/package.json), like the CLI's bundle: Node's ES module loader costs some
// 15 ms at every start before it has loaded anything, a tenth of the CLI's budget.
//   - The CLI (src/cli/main.ts) runs the bundle dist/cli/main.cjs, compiled with the V8 code cache
//     the build made for it. Fresh: no file it was bundled from (dist/cli/inputs.json, esbuild's own
//     list plus the files that configure the build) is as new as dist/.build-stamp: some 190 stat
//     calls, instead of a walk of src/.
//   - A daemon runs dist/<path>.js, compiled by tsc from every file under src/. Fresh: no file under
//     src/ is as new as the stamp (a walk of src/; a daemon starts seldom).
// Why a rule is sound: the build's output is a function of the content of the files it read. The stamp
// is the build's start, taken before any of them is read, so a file written since (in place or
// replaced, during the build or after) has a newer mtime and the build is not fresh. A file the CLI's
// bundle did not read cannot change it without an edit to one that it did read (imports name their .ts
// file; packages change only with node_modules/.package-lock.json, which npm rewrites). The equal case
// counts as not fresh: file times have a granularity, and a write in the same tick as the stamp may
// have come after it. Not seen: a file put back with an older mtime (`cp -p`, `tar x`): run `npm run
// build` after those.
// HA_MANAGER_TSX=1 forces the sources; HA_MANAGER_DIST=1 forces dist/ when a build finished (a bench
// that built it itself, while others edit src/); HA_MANAGER_FULL_YARGS=1 runs the CLI from the sources.
'use strict';
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

const ROOT = join(__dirname, '..');
/** A source tree deeper or larger than this is not ours: use tsx rather than walk on. */
const SOURCE_FILES_MAX = 5_000;
/** Where build/build.mjs writes the CLI's bundle, its code cache and the list of its inputs. */
const CLI_BUNDLE = { dir: 'dist/cli', file: 'main.cjs', cache: 'main.cjs.v8-cache' };
/**
 * The function the bundle's CommonJS code is the body of, as Node's own loader wraps a module. The code
 * cache is made for exactly this text (build/code-cache.cjs compiles through compileBundle too).
 */
const WRAPPER = ['(function (exports, require, module, __filename, __dirname) { ', '\n})'];

function newestSourceMs(dir, budget) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (--budget.files < 0) return Infinity;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(path, budget) : statSync(path).mtimeMs);
  }
  return newest;
}

const stampMsOf = (root) => statSync(join(root, 'dist', '.build-stamp')).mtimeMs;

/** True when `root`/dist/.build-stamp exists and every file under `root`/src is older (tsc's output). */
function isBuildFresh(root = ROOT) {
  try {
    return newestSourceMs(join(root, 'src'), { files: SOURCE_FILES_MAX }) < stampMsOf(root);
  } catch {
    return false;
  }
}

/** True when the stamp exists and every file `root`/dist/cli/inputs.json lists is older. */
function isBundleFresh(root = ROOT) {
  try {
    const stampMs = stampMsOf(root);
    const { files } = JSON.parse(readFileSync(join(root, CLI_BUNDLE.dir, 'inputs.json'), 'utf8'));
    if (!Array.isArray(files) || files.length === 0 || files.length > SOURCE_FILES_MAX) return false;
    // `root + '/' + file`, not join(): the list holds normalized relative paths, and path.normalize,
    // run cold (interpreted) on some 190 paths, costs milliseconds.
    return files.every((file) => statSync(`${root}/${file}`).mtimeMs < stampMs);
  } catch {
    return false; // no build, no list, or a listed file is gone: the sources
  }
}

function isDistChosen(isFresh) {
  if (process.env.HA_MANAGER_TSX === '1') return false;
  return (process.env.HA_MANAGER_DIST === '1' && existsSync(join(ROOT, 'dist', '.build-stamp'))) || isFresh();
}

/**
 * Compiles the bundle as a CommonJS module with `cachedData` (V8 bytecode of its functions: no parse,
 * no lazy compile of what the cache holds) and runs its top level; returns its exports and the script.
 * V8 refuses a cache from another V8 or other flags (then it compiles as usual); that the cache
 * belongs to this source is the build's: both are written by one build, under one stamp.
 * The bundle is ASCII (the build checks): read as latin1, it needs no UTF-8 decoding.
 */
function compileBundle(file, cachedData) {
  const source = readFileSync(file, 'latin1');
  const script = new Script(WRAPPER[0] + source + WRAPPER[1], { filename: file, cachedData });
  const bundle = { exports: {} };
  script.runInThisContext().call(bundle.exports, bundle.exports, createRequire(file), bundle, file, dirname(file));
  return { exports: bundle.exports, script };
}

async function importSources(path) {
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(ROOT, `${path}.ts`)).href);
}

/** Runs `ha-manager` with `argv` (src/cli/main.ts) and sets the exit status it returns. */
async function runCli(argv) {
  let main;
  // The bundle holds only the light yargs (src/cli/yargs-parts.ts): full yargs is the sources'.
  if (process.env.HA_MANAGER_FULL_YARGS !== '1' && isDistChosen(() => isBundleFresh())) {
    const dir = join(ROOT, CLI_BUNDLE.dir);
    let cachedData;
    try {
      cachedData = readFileSync(join(dir, CLI_BUNDLE.cache));
    } catch {
      cachedData = undefined; // a build without one: compiled as usual
    }
    main = compileBundle(join(dir, CLI_BUNDLE.file), cachedData).exports.main;
  } else {
    main = (await importSources('src/cli/main')).main;
  }
  process.exitCode = await main(argv);
}

/** The entry module of a daemon: dist/<path>.js when tsc's output is fresh, else <path>.ts via tsx. */
function loadDaemonModule(path) {
  if (isDistChosen(() => isBuildFresh())) return import(pathToFileURL(join(ROOT, 'dist', `${path}.js`)).href);
  return importSources(path);
}

module.exports = { CLI_BUNDLE, compileBundle, isBuildFresh, isBundleFresh, loadDaemonModule, runCli };
