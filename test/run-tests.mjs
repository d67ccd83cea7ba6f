#!/usr/bin/env node
// The project's test command: runs every test/**/*.test.ts with mocha (TypeScript through tsx) and
// ends with one plain line, `N passed, M failed[, K skipped]`, which is what CI reads.
// Arguments narrow the run to files or folders: `npm test -- test/crm`.
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { register } from 'tsx/esm/api';
import Mocha from 'mocha';

register();

// Every scratch directory the tests make (theirs and their child processes') goes under one run
// directory, removed at the end: a test that fails before its own cleanup leaves nothing in /tmp.
const runTmpDir = mkdtempSync(join(tmpdir(), 'hat-'));
chmodSync(runTmpDir, 0o1777); // as /tmp: tests that run a command as another user (nobody) reach their directories
process.env.TMPDIR = runTmpDir;
process.on('exit', () => rmSync(runTmpDir, { recursive: true, force: true }));

function collect(path, into) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), into);
  } else if (path.endsWith('.test.ts')) {
    into.push(resolve(path));
  }
  return into;
}

const roots = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const grep = process.argv.find((arg) => arg.startsWith('--grep='))?.slice('--grep='.length);
const files = (roots.length ? roots : ['test']).flatMap((root) => collect(root, []));
const mocha = new Mocha({ reporter: 'spec', timeout: 180_000, ...(grep ? { grep } : {}) });
for (const file of files) mocha.addFile(file);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  await mocha.loadFilesAsync();
} catch (error) {
  console.error(error);
  console.log(`0 passed, 1 failed`);
  process.exit(1);
}
const runner = mocha.run();
runner.on('pass', () => passed++);
runner.on('fail', () => failed++);
runner.on('pending', () => skipped++);
runner.on('end', () => {
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
});
