// Part of `npm run build` (build/build.mjs): node build/code-cache.cjs <bundle> <cache>.
// Compiles the CLI's bundle as bin/launcher.cjs does (compileBundle), runs the commands an operator
// runs most against a scratch shared directory, and at exit writes V8's code cache of the script: the
// bytecode of every function that ran, which bin/launcher.cjs hands to V8 with the same source.
// `--help` comes last: yargs ends the process after printing help (the exit handler still writes).
// A command that fails fails the build: the bundle does not work.
'use strict';
const { mkdtempSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { compileBundle } = require('../bin/launcher.cjs');

const [bundleFile, cacheFile] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'ha-code-cache-'));
const COMMAND_LINES = [
  ['init', '--nodes', 'node1,node2,node3'],
  ['groupadd', 'web', '--nodes', 'node1:2,node2'],
  ['add', 'vm:100', '--group', 'web'],
  ['add', 'ct:200', '--node', 'node2'],
  ['status'],
  ['status', '--verbose'],
  ['config'],
  ['groupconfig'],
].map((words) => [...words, '--dir', dir]);

const { exports: bundle, script } = compileBundle(bundleFile, undefined);
process.on('exit', (code) => {
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) return;
  writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
  renameSync(`${cacheFile}.tmp`, cacheFile);
});

(async () => {
  for (const words of COMMAND_LINES) {
    const status = await bundle.main(words);
    if (status !== 0) {
      console.error(`code cache: ha-manager ${words.join(' ')} exited ${status}`);
      process.exit(1);
    }
  }
  await bundle.main(['--help']);
})();
