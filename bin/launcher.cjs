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
/**
 * Where build/build.mjs writes the CLI's bundles, their code caches and the list of their inputs: the
 * whole CLI, and its plain lines alone (src/cli/plain-lines.ts: status, config, groupconfig, --help).
 */
const CLI_BUNDLE = { dir: 'dist/cli', file: 'main.cjs', cache: 'main.cjs.v8-cache', plain: 'plain.cjs', plainCache: 'plain.cjs.v8-cache' };
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

/**
 * dist/cli/inputs.json when the stamp exists and every file it lists is older, else undefined. It also
 * holds `plainWords`: the first words of the lines dist/cli/plain.cjs may answer.
 */
function freshBundleInputs(root = ROOT, isFreshnessChecked = true) {
  try {
    const stampMs = stampMsOf(root);
    const inputs = JSON.parse(readFileSync(join(root, CLI_BUNDLE.dir, 'inputs.json'), 'utf8'));
    const { files, plainWords } = inputs;
    if (!Array.isArray(files) || files.length === 0 || files.length > SOURCE_FILES_MAX || !Array.isArray(plainWords)) return undefined;
    // `root + '/' + file`, not join(): the list holds normalized relative paths, and path.normalize,
    // run cold (interpreted) on some 190 paths, costs milliseconds.
    return !isFreshnessChecked || files.every((file) => statSync(`${root}/${file}`).mtimeMs < stampMs) ? inputs : undefined;
  } catch {
    return undefined; // no build, no list, or a listed file is gone: the sources
  }
}

function isBundleFresh(root = ROOT) {
  return freshBundleInputs(root) !== undefined;
}

function isDistChosen(isFresh) {
  if (process.env.HA_MANAGER_TSX === '1') return false;
  return (process.env.HA_MANAGER_DIST === '1' && existsSync(join(ROOT, 'dist', '.build-stamp'))) || isFresh();
}

/** The inputs of the CLI's bundles when they are to run (as isDistChosen decides), else undefined. */
function chosenBundleInputs() {
  if (process.env.HA_MANAGER_TSX === '1' || process.env.HA_MANAGER_FULL_YARGS === '1') return undefined;
  return freshBundleInputs(ROOT, process.env.HA_MANAGER_DIST !== '1');
}

/** A bundle of dist/cli/ with its code cache when the build made one (else V8 compiles as usual). */
function loadCliBundle(dir, file, cache) {
  let cachedData;
  try {
    cachedData = readFileSync(join(dir, cache));
  } catch {
    cachedData = undefined;
  }
  return compileBundle(join(dir, file), cachedData).exports;
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
  // The bundles hold only the light yargs (src/cli/yargs-parts.ts): full yargs is the sources'.
  const inputs = chosenBundleInputs();
  if (inputs === undefined) {
    process.exitCode = await (await importSources('src/cli/main')).main(argv);
    return;
  }
  const dir = join(ROOT, CLI_BUNDLE.dir);
  // A plain line runs from the small bundle; another line of those words (a positional, --help of a
  // command, a bad option) comes back undefined and runs from the whole CLI, as it would have anyway.
  if (inputs.plainWords.includes(argv[0])) {
    const status = await loadCliBundle(dir, CLI_BUNDLE.plain, CLI_BUNDLE.plainCache).runPlainLine(argv, { helpDir: dir });
    if (status !== undefined) {
      process.exitCode = status;
      return;
    }
  }
  process.exitCode = await loadCliBundle(dir, CLI_BUNDLE.file, CLI_BUNDLE.cache).main(argv);
}

/** The entry module of a daemon: dist/<path>.js when tsc's output is fresh, else <path>.ts via tsx. */
function loadDaemonModule(path) {
  if (isDistChosen(() => isBuildFresh())) return import(pathToFileURL(join(ROOT, 'dist', `${path}.js`)).href);
  return importSources(path);
}

module.exports = { CLI_BUNDLE, compileBundle, isBuildFresh, isBundleFresh, loadDaemonModule, runCli };
