#!/usr/bin/env node
// `npm run build` (run by `npm ci` through `prepare`): what bin/ runs instead of the TypeScript sources.
//
// 1. tsc compiles src/ into dist/src/ (tsconfig.build.json): the daemons (ha-crm, ha-lrm, the mux,
//    the emulator, ha-sim-service) run it. A daemon starts seldom and runs long; what counts is memory.
// 2. esbuild bundles the CLI (src/cli/main.ts) into one CommonJS file, dist/cli/main.cjs, yargs
//    included (src/cli/yargs-parts.ts, see staticYargsParts); packages with native code stay outside,
//    loaded when a command needs them. One file read and no module resolution instead of some seventy
//    ES modules loaded one by one. Commands are still lazy: a command's modules run only when it does.
// 3. build/code-cache.cjs runs the bundle through status, config, groupconfig and --help on a scratch
//    directory and saves V8's bytecode of every function that ran: dist/cli/main.cjs.v8-cache. With
//    it, bin/launcher.cjs neither parses the bundle nor compiles those functions again. Together they
//    bring a command within the 150 ms of issue 10 (`npm run bench:cli`). A smoke test, too.
// 4. The chaos worker (forked by `simulate --chaos`, src/chaos/swarm.ts: `./chaos-worker.js` next to
//    itself) is bundled on its own into dist/cli/chaos-worker.js.
//    The etcd store's worker thread (src/store/etcd/etcd-sync-client.ts: `./etcd-worker.js` next to
//    itself) is bundled the same way into dist/cli/etcd-worker.js; the daemons run tsc's
//    dist/src/store/etcd/etcd-worker.js.
// 5. dist/cli/inputs.json lists every file the bundles were made from (esbuild's metafiles, plus the
//    files that configure the build); bin/launcher.cjs runs the bundle only while none of them is
//    newer than the build. dist/.build-stamp is the build's start (see startStamp).
//
// The bundle is directly in dist/cli/, two levels below the checkout as src/<dir>/ files are: the
// sources' `new URL('../../bin/…', import.meta.url)` reach bin/ from there too.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const { CLI_BUNDLE } = createRequire(import.meta.url)('../bin/launcher.cjs');
const CLI_DIR = join(ROOT, CLI_BUNDLE.dir);
const STAMP = join(DIST, '.build-stamp');
/** Read by esbuild or by the build besides the sources it reports: a change to one changes the bundle. */
/** The widths `ha-manager --help` is shown at without a narrower terminal (src/cli/plain-lines.ts, helpWidthOf). */
const HELP_WIDTHS = [100, 120];
const CONFIG_INPUTS = ['package.json', 'tsconfig.json', 'build/build.mjs', 'build/code-cache.cjs', 'bin/launcher.cjs', 'node_modules/.package-lock.json'];

/**
 * The stamp of this build: a file created before anything is read, renamed to dist/.build-stamp when
 * everything is written (a rename keeps the mtime). A source saved while the build runs is newer than
 * the stamp, so the launcher does not take the build for fresh; a build that fails leaves no stamp
 * (the old one is removed first), so a half-written dist/ never runs.
 */
function startStamp() {
  mkdirSync(DIST, { recursive: true });
  rmSync(STAMP, { force: true });
  const started = join(DIST, `.build-started.${process.pid}`);
  writeFileSync(started, '');
  return started;
}

function compileDaemons() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  // dist/src/<dir>/x.js reaches bin/ as src/<dir>/x.ts does: '../../bin/' is dist/bin.
  rmSync(join(DIST, 'bin'), { force: true });
  symlinkSync('../bin', join(DIST, 'bin'));
}

/** A file as a path from the checkout: the checkout's own path when node_modules is a symlink. */
function projectPath(file) {
  const nodeModules = join(ROOT, 'node_modules');
  const realNodeModules = existsSync(nodeModules) ? realpathSync(nodeModules) : nodeModules;
  if (file.startsWith(realNodeModules + sep)) return relative(ROOT, join(nodeModules, relative(realNodeModules, file)));
  return relative(ROOT, file);
}

/**
 * src/cli/yargs-parts.ts as the bundle has it: the same files (YARGS_PART_FILES, resolved by
 * partSpecifier as at run time) imported statically, which a bundler can follow, and yargs' own
 * location as a path relative to the bundle instead of a package resolution at every start.
 */
async function staticYargsParts() {
  const { YARGS_PART_FILES, partSpecifier } = await import(pathToFileURL(join(DIST, 'src', 'cli', 'yargs-parts.js')).href);
  const from = pathToFileURL(join(ROOT, 'src', 'cli', 'yargs-parts.ts')).href;
  const resolve = (specifier) => import.meta.resolve(specifier, from);
  const names = Object.keys(YARGS_PART_FILES);
  const imports = names.map((name) => {
    const specifier = partSpecifier(YARGS_PART_FILES[name], resolve);
    const file = fileURLToPath(specifier.startsWith('file:') ? specifier : resolve(specifier));
    return `import * as ${name} from ${JSON.stringify(file)};`;
  });
  const yargsFromBundle = relative(CLI_DIR, join(ROOT, projectPath(fileURLToPath(resolve('yargs'))))).split(sep).join('/');
  return [
    ...imports,
    `const yargsUrl = new URL(${JSON.stringify(yargsFromBundle)}, import.meta.url).href;`,
    `export async function importYargsParts() { return { yargsUrl, modules: { ${names.join(', ')} } }; }`,
    `export async function importFullYargs() { throw new Error('The bundle has no full yargs: HA_MANAGER_FULL_YARGS=1 runs the sources'); }`,
  ].join('\n');
}

const COMMON = { absWorkingDir: ROOT, bundle: true, platform: 'node', target: 'node20', packages: 'external', metafile: true, logLevel: 'warning' };

async function bundleCli(entryPoint, file) {
  const yargsParts = await staticYargsParts();
  return build({
    ...COMMON,
    entryPoints: [entryPoint],
    outfile: join(CLI_DIR, file),
    format: 'cjs',
    // Comments and spaces out (less to read; and no UTF-8 from comments: the launcher reads latin1).
    // Names stay, for the stack trace of an AssertionError.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    // ES module semantics in a CommonJS file: strict mode, and import.meta.url as the file's URL (the
    // sources find bin/ from it). import.meta.resolve runs only from the sources (swarm.ts).
    banner: { js: `"use strict";var __importMetaUrl=require("node:url").pathToFileURL(__filename).href;` },
    define: { 'import.meta.url': '__importMetaUrl', 'import.meta.resolve': 'require.resolve' },
    plugins: [
      {
        name: 'static-yargs-parts',
        setup: (pluginBuild) => pluginBuild.onLoad({ filter: /[\\/]src[\\/]cli[\\/]yargs-parts\.ts$/ }, () => ({ contents: yargsParts, loader: 'js', resolveDir: ROOT })),
      },
    ],
  });
}

/**
 * What bin/launcher.cjs assumes of the bundle: ASCII (read as latin1) and no import() left (it is
 * compiled through node:vm, which has no loader for one).
 */
function checkBundle(result, name) {
  const file = join(CLI_DIR, name);
  const bytes = readFileSync(file);
  const offset = bytes.findIndex((byte) => byte > 0x7f);
  if (offset !== -1) throw new Error(`${file}: a byte that is not ASCII at offset ${offset}`);
  const dynamic = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((entry) => entry.kind === 'dynamic-import'));
  if (dynamic.length > 0) throw new Error(`${file}: import() of ${dynamic.map((entry) => entry.path).join(', ')} is left in the bundle`);
}

function bundleChaosWorker() {
  return build({ ...COMMON, entryPoints: ['src/chaos/chaos-worker.ts'], outfile: join(CLI_DIR, 'chaos-worker.js'), format: 'esm' });
}

function bundleEtcdWorker() {
  return build({ ...COMMON, entryPoints: ['src/store/etcd/etcd-worker.ts'], outfile: join(CLI_DIR, 'etcd-worker.js'), format: 'esm' });
}

function makeCodeCache(kind, file, cache) {
  execFileSync(process.execPath, [join(ROOT, 'build', 'code-cache.cjs'), kind, join(CLI_DIR, file), join(CLI_DIR, cache), CLI_DIR], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * The top-level help as the whole CLI's yargs renders it (src/cli/main.ts, topLevelHelp), for a pipe
 * (100 columns) and a wide terminal (120): what the plain bundle prints for `--help` alone.
 */
async function renderHelp() {
  const { compileBundle } = createRequire(import.meta.url)('../bin/launcher.cjs');
  const { topLevelHelp } = compileBundle(join(CLI_DIR, CLI_BUNDLE.file), undefined).exports;
  for (const width of HELP_WIDTHS) writeFileSync(join(CLI_DIR, `help-${width}.txt`), await topLevelHelp(width));
}

async function plainWords() {
  const { PLAIN_WORDS } = await import(pathToFileURL(join(DIST, 'src', 'cli', 'plain-lines.js')).href);
  return PLAIN_WORDS;
}

function writeInputs(results, words) {
  const sources = results.flatMap((result) => Object.keys(result.metafile.inputs)).map((input) => projectPath(join(ROOT, input)));
  const files = [...new Set([...CONFIG_INPUTS.filter((file) => existsSync(join(ROOT, file))), ...sources])].sort();
  writeFileSync(join(CLI_DIR, 'inputs.json'), `${JSON.stringify({ plainWords: words, files }, null, 1)}\n`);
}

const started = startStamp();
try {
  compileDaemons();
  rmSync(CLI_DIR, { recursive: true, force: true });
  const cli = await bundleCli('src/cli/main.ts', CLI_BUNDLE.file);
  checkBundle(cli, CLI_BUNDLE.file);
  const plain = await bundleCli('src/cli/plain-lines.ts', CLI_BUNDLE.plain);
  checkBundle(plain, CLI_BUNDLE.plain);
  const worker = await bundleChaosWorker();
  const etcdWorker = await bundleEtcdWorker();
  await renderHelp();
  makeCodeCache('main', CLI_BUNDLE.file, CLI_BUNDLE.cache);
  makeCodeCache('plain', CLI_BUNDLE.plain, CLI_BUNDLE.plainCache);
  writeInputs([cli, plain, worker, etcdWorker], await plainWords());
  renameSync(started, STAMP);
} catch (error) {
  rmSync(started, { force: true });
  console.error(`build: ${error.message.split('\n')[0]}`);
  process.exit(1);
}
