// Part of `npm run build` (build/build.mjs): node build/code-cache.cjs <bundle> <cache>.
// Compiles the CLI's bundle as bin/launcher.cjs does (compileBundle), runs the commands issue 10 asks
// to answer at once — status, config, groupconfig, --help — against a scratch shared directory, and
// at exit writes V8's code cache of the script: the bytecode of every function that ran, which
// bin/launcher.cjs hands to V8 with the same source. Only those: every function in the cache is
// deserialized at every start, so a cache of more commands makes these slower (measured: ~5 ms for
// one that also held init, groupadd and add); other commands compile what they need as usual.
// The scratch directory is set up by a child process (`--setup`), so that init and add stay out.
// `--help` comes last: yargs ends the process after printing help (the exit handler still writes).
// A command that fails fails the build: the bundle does not work.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { compileBundle } = require('../bin/launcher.cjs');

const SETUP_LINES = [
  ['init', '--nodes', 'node1,node2,node3'],
  ['groupadd', 'web', '--nodes', 'node1:2,node2'],
  ['add', 'vm:100', '--group', 'web'],
  ['add', 'ct:200', '--node', 'node2'],
];
const CACHED_LINES = [['status'], ['config'], ['groupconfig']];

async function runAll(bundle, lines, dir) {
  for (const words of lines) {
    const status = await bundle.main([...words, '--dir', dir]);
    if (status !== 0) {
      console.error(`code cache: ha-manager ${words.join(' ')} --dir ${dir} exited ${status}`);
      process.exit(1);
    }
  }
}

if (process.argv[2] === '--setup') {
  const [bundleFile, dir] = process.argv.slice(3);
  void runAll(compileBundle(bundleFile, undefined).exports, SETUP_LINES, dir);
} else {
  const [bundleFile, cacheFile] = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), 'ha-code-cache-'));
  try {
    execFileSync(process.execPath, [__filename, '--setup', bundleFile, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  }
  const { exports: bundle, script } = compileBundle(bundleFile, undefined);
  process.on('exit', (code) => {
    rmSync(dir, { recursive: true, force: true });
    if (code !== 0) return;
    writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  });
  void runAll(bundle, CACHED_LINES, dir).then(() => bundle.main(['--help']));
}
