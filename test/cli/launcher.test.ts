import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// @ts-expect-error: bin/launcher.cjs is plain JavaScript without declarations (it runs before tsx).
import { isBuildFresh, isBundleFresh } from '../../bin/launcher.cjs';
import { BIN, clusterDir, freshDir } from './run-cli.ts';

const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

/** A scratch checkout: src/top.ts and src/cli/commands/status.ts at 1000 s, no dist/. */
function scratchCheckout(): { root: string; top: string; deep: string; stamp: string } {
  const root = freshDir('ha-launcher-');
  mkdirSync(join(root, 'src', 'cli', 'commands'), { recursive: true });
  const top = join(root, 'src', 'top.ts');
  const deep = join(root, 'src', 'cli', 'commands', 'status.ts');
  for (const file of [top, deep]) {
    writeFileSync(file, '');
    at(file, 1000);
  }
  return { root, top, deep, stamp: join(root, 'dist', '.build-stamp') };
}

function writeStamp(stamp: string, seconds: number): void {
  mkdirSync(join(stamp, '..'), { recursive: true });
  writeFileSync(stamp, '');
  at(stamp, seconds);
}

describe('bin/ launchers: dist/ when it is fresh, else the sources (bin/launcher.cjs)', () => {
  it("tsc's output: fresh only when every file under src/, however deep, is older than the build stamp", () => {
    const { root, deep, stamp } = scratchCheckout();
    assert.equal(isBuildFresh(root), false, 'no dist/ at all');
    writeStamp(stamp, 2000);
    assert.equal(isBuildFresh(root), true);
    at(deep, 3000); // a source edited after the build
    assert.equal(isBuildFresh(root), false);
    at(stamp, 3000);
    assert.equal(isBuildFresh(root), false, 'written in the tick the build started: maybe after it read the file');
    at(stamp, 3001);
    assert.equal(isBuildFresh(root), true);
  });

  it("the CLI's bundle: fresh only while every file it was made from (dist/cli/inputs.json) is older than the stamp", () => {
    const { root, top, deep, stamp } = scratchCheckout();
    const inputs = join(root, 'dist', 'cli', 'inputs.json');
    writeStamp(stamp, 2000);
    assert.equal(isBundleFresh(root), false, 'a stamp but no bundle');
    mkdirSync(join(root, 'dist', 'cli'));
    writeFileSync(inputs, JSON.stringify({ plainWords: ['status'], files: ['src/cli/commands/status.ts', 'package.json'] }));
    assert.equal(isBundleFresh(root), false, 'a listed file (package.json) is missing');
    writeFileSync(join(root, 'package.json'), '{}');
    at(join(root, 'package.json'), 1000);
    assert.equal(isBundleFresh(root), true);
    at(top, 5000);
    writeFileSync(join(root, 'src', 'new.ts'), '');
    assert.equal(isBundleFresh(root), true, 'files the bundle was not made from do not count');
    writeFileSync(deep, 'export const edited = 1;\n'); // edited in place: the directory's mtime stays, the file's does not
    assert.equal(isBundleFresh(root), false);
    at(deep, 2000);
    assert.equal(isBundleFresh(root), false, 'as new as the stamp');
    at(deep, 1999);
    assert.equal(isBundleFresh(root), true);
    rmSync(deep);
    assert.equal(isBundleFresh(root), false, 'a listed file removed');
    writeFileSync(deep, '');
    at(deep, 1000);
    rmSync(stamp);
    assert.equal(isBundleFresh(root), false, 'no stamp: a build that did not finish');
    writeStamp(stamp, 2000);
    writeFileSync(inputs, '{"plainWords": [], "files": []}');
    assert.equal(isBundleFresh(root), false, 'an empty list is not a bundle');
    writeFileSync(inputs, JSON.stringify({ files: ['package.json'] }));
    assert.equal(isBundleFresh(root), false, 'a list without the plain words is of another build');
  });

  it('the bundle that `npm run build` made lists the sources of every command and the files that configure the build', function () {
    const root = resolve('.');
    if (!existsSync(join(root, 'dist', 'cli', 'inputs.json'))) skipOutsideCi(this, 'dist/cli is not built'); // built by `npm ci` (prepare): CI has it
    const { files, plainWords } = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'inputs.json'), 'utf8')) as { files: string[]; plainWords: string[] };
    assert.deepEqual(plainWords, ['status', 'config', 'groupconfig', '--help', '-h']);
    for (const file of ['src/cli/main.ts', 'src/cli/plain-lines.ts', 'src/cli/commands/status.ts', 'src/cli/commands/simulate.ts', 'src/chaos/chaos-worker.ts', 'src/cli/yargs-parts.ts']) {
      assert.ok(files.includes(file), file);
    }
    for (const file of ['package.json', 'tsconfig.json', 'build/build.mjs']) assert.ok(files.includes(file), file);
    assert.ok(files.some((file) => file.startsWith('node_modules/yargs/')), 'yargs is bundled');
    assert.ok(!files.some((file) => file.startsWith('/') || file.startsWith('..')), 'paths inside the checkout, which may move');
  });

  it("V8 takes the build's code caches for both bundles (if it refused one, every command would compile its bundle)", function () {
    if (!isBundleFresh()) skipOutsideCi(this, 'the CLI bundle is not fresh'); // the sources changed since the last build: the bundle does not run
    for (const [file, cache] of [['file', 'cache'], ['plain', 'plainCache']]) {
      const script = [
        "const { readFileSync } = require('node:fs');",
        "const { CLI_BUNDLE, compileBundle } = require('./bin/launcher.cjs');",
        'const dir = `${CLI_BUNDLE.dir}/`;',
        `const { script } = compileBundle(require.resolve(\`./\${dir}\${CLI_BUNDLE.${file}}\`), readFileSync(dir + CLI_BUNDLE.${cache}));`,
        'console.log(script.cachedDataRejected);',
      ].join('\n');
      // A plain node, as bin/ha-manager runs: V8 refuses a cache made under other flags.
      const { stdout, status } = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      assert.equal(status, 0, file);
      assert.equal(stdout.trim(), 'false', file);
    }
  });

  it('the bundle answers as the sources do (help, status, config, groupconfig, completion)', function () {
    this.timeout(120_000);
    if (!isBundleFresh()) skipOutsideCi(this, 'the CLI bundle is not fresh'); // the sources changed since the last build: the bundle does not run
    const dir = clusterDir('ha-launcher-');
    execFileSync(BIN, ['add', 'vm:100', '--node', 'node1', '--dir', dir]);
    execFileSync(BIN, ['groupadd', 'web', '--nodes', 'node1:2,node2', '--dir', dir]);
    const lines: string[][] = [
      ['--help'],
      ['-h'],
      ['status', '--help'],
      ['status', '--dir', dir],
      ['status'],
      ['status', '--output-format=text', '--verbose'],
      ['config', '--dir', dir],
      ['config', '--type', 'ct', '--output-format', 'json'],
      ['config', '--output-format', 'yaml'],
      ['groupconfig', '--dir', dir],
      ['groupconfig', 'stray'],
      ['status', '--verbose', 'yes', '--dir', dir],
      ['status', '--verbose=maybe'],
    ];
    const run = (args: readonly string[], env: Record<string, string>) => {
      const { status, stdout, stderr } = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, HA_MANAGER_DIR: dir, ...env } });
      return { status, stdout, stderr };
    };
    for (const args of lines) assert.deepEqual(run(args, {}), run(args, { HA_MANAGER_TSX: '1' }), `ha-manager ${args.join(' ')}`);
    // A completion request: its stderr is not compared. From the sources yargs also complains of
    // `--get-yargs-completions` on stderr (its strict check wins the race with the completion, which
    // the bundle answers sooner); the completion script discards stderr.
    const completion = ['--get-yargs-completions', 'ha-manager', 'migrate', 'vm:100', ''];
    const [bundled, sources] = [run(completion, {}), run(completion, { HA_MANAGER_TSX: '1' })];
    assert.deepEqual([bundled.status, bundled.stdout], [sources.status, sources.stdout], completion.join(' '));
    assert.equal(bundled.stdout, 'node1\nnode2\nnode3\n');
  });
});

/**
 * A missing or stale bundle skips a test on a working copy (sources edited since the last build); on CI,
 * where `npm ci` has just built it, it means `npm run build` failed (its output is in npm ci's), which
 * must not pass unseen.
 */
function skipOutsideCi(context: Mocha.Context, why: string): void {
  if (process.env.CI) assert.fail(`${why} on CI: npm run build failed during npm ci (see its output)`);
  context.skip();
}
