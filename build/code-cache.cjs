// Part of `npm run build` (build/build.mjs): node build/code-cache.cjs <plain|main> <bundle> <cache> <help-dir>.
// Compiles a CLI bundle as bin/launcher.cjs does (compileBundle), runs what it is there for against a
// scratch shared directory, and at exit writes V8's code cache of the script: the bytecode of every
// function that ran, which bin/launcher.cjs hands to V8 with the same source. Only those: every
// function in a cache is deserialized at every start, so a cache of more than a bundle's commands
// makes them slower; other code compiles what it needs as usual.
//   plain  dist/cli/plain.cjs (src/cli/plain-lines.ts): the commands issue 10 asks to answer at once —
//          status, config, groupconfig — and the rendered --help.
//   main   dist/cli/main.cjs (the whole CLI): yargs with every command listed, what each line that is
//          not plain goes through.
// The scratch directory is set up by a child process (`--setup`), so that init and add stay out.
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
const PLAIN_LINES = [['status'], ['config'], ['groupconfig']];

function fail(message) {
  console.error(`code cache: ${message}`);
  process.exit(1);
}

async function runAll(run, lines, dir) {
  for (const words of lines) {
    const status = await run([...words, '--dir', dir]);
    if (status !== 0) fail(`ha-manager ${words.join(' ')} --dir ${dir} exited ${status}`);
  }
}

/** What each bundle runs to fill its cache. */
async function exercise(kind, bundle, dir, helpDir) {
  if (kind === 'plain') {
    await runAll((argv) => bundle.runPlainLine(argv), PLAIN_LINES, dir);
    if ((await bundle.runPlainLine(['--help'], { helpDir })) !== 0) fail(`no rendered help in ${helpDir}`);
  } else {
    await bundle.main(['--help']); // yargs ends the process after printing help (the exit handler still writes)
  }
}

if (process.argv[2] === '--setup') {
  const [bundleFile, dir] = process.argv.slice(3);
  void runAll((argv) => compileBundle(bundleFile, undefined).exports.main(argv), SETUP_LINES, dir);
} else {
  const [kind, bundleFile, cacheFile, helpDir] = process.argv.slice(2);
  const mainFile = join(helpDir, 'main.cjs');
  const dir = mkdtempSync(join(tmpdir(), 'ha-code-cache-'));
  try {
    execFileSync(process.execPath, [__filename, '--setup', mainFile, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
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
  void exercise(kind, bundle, dir, helpDir);
}
