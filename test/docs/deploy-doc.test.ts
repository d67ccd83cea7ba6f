import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * docs/deploy.md cannot rot: its shell blocks marked ```` ```sh testable ```` run here, in order, each
 * in a fresh `bash -euo pipefail`, against a scratch setup instead of the machine (the doc's opening
 * paragraph says the same to its reader):
 * - `HA_MANAGER_DIR` is an empty scratch directory, as a freshly mounted share;
 * - the checkout's bin/ comes first on PATH (ha-manager and the daemons of this tree);
 * - `hostname` answers `node1` (a shim first on PATH), the name the doc's examples give this node;
 * - TMPDIR is inside the scratch directory; the watchdog is the emulated one (the doc's dry run uses it).
 * A block that exits non-zero fails with the doc's line; the blocks after it are skipped (they build on
 * it). Every other ```` ```sh ```` block must say why it is not run, and a testable block must not
 * touch the machine: systemd, kernel modules, mounts, packages, the real watchdog.
 */
const DOC = resolve('docs/deploy.md');
const REPO = resolve('.');
/** The slowest block is the dry run: three daemons starting through tsx on a loaded 2-core machine. */
const BLOCK_TIMEOUT_MS = 150_000;
/** What a testable block must never run: it would act on the machine, not on the scratch setup. */
const MACHINE_COMMANDS = /\b(systemctl|modprobe|mount|umount|apt-get|exportfs|journalctl)\b|\/dev\/watchdog/;
const NOT_TESTED_MARK = '# not tested:';

interface ShellBlock {
  /** Line of the opening fence in the doc (1-based). */
  readonly line: number;
  readonly isTestable: boolean;
  readonly text: string;
}

/** The ```sh blocks of a Markdown text, with the line of their opening fence. */
export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const fence = /^```sh( testable)?\s*$/.exec(lines[index]!);
    if (!fence) continue;
    const end = lines.indexOf('```', index + 1);
    assert.ok(end > index, `docs/deploy.md:${index + 1}: shell block without a closing fence`);
    blocks.push({ line: index + 1, isTestable: fence[1] !== undefined, text: lines.slice(index + 1, end).join('\n') });
    index = end;
  }
  return blocks;
}

function scratchSetup(): { root: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(tmpdir(), 'ha-deploy-doc-'));
  const shared = join(root, 'shared');
  const shims = join(root, 'shims');
  for (const dir of [shared, shims, join(root, 'tmp')]) mkdirSync(dir);
  writeFileSync(join(shims, 'hostname'), '#!/bin/sh\n# The doc test\'s machine is node1, whatever the options.\necho node1\n');
  chmodSync(join(shims, 'hostname'), 0o755);
  const env = { ...process.env, PATH: `${shims}:${join(REPO, 'bin')}:${process.env.PATH ?? ''}`, HA_MANAGER_DIR: shared, TMPDIR: join(root, 'tmp') };
  return { root, env };
}

/**
 * Runs one block in its own process group, so that whatever it left running in the background (a
 * daemon of a block that failed half-way) is killed with it. `how` is undefined on exit status 0.
 */
function runBlock(text: string, scratch: { root: string; env: NodeJS.ProcessEnv }): Promise<{ how: string | undefined; output: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', text], { cwd: scratch.root, env: scratch.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let isTimedOut = false;
    const timer = setTimeout(() => {
      isTimedOut = true;
      killGroup(child.pid!);
    }, BLOCK_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      killGroup(child.pid!);
      const how = isTimedOut ? `did not finish within ${BLOCK_TIMEOUT_MS / 1000} s` : code === 0 ? undefined : signal ? `was killed by ${signal}` : `exited with ${code}`;
      resolvePromise({ how, output });
    });
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

describe('docs/deploy.md: the shell blocks', function () {
  const blocks = shellBlocks(readFileSync(DOC, 'utf8'));
  const testable = blocks.filter((block) => block.isTestable);

  it('has testable blocks, and says of every other block why it is not run', () => {
    assert.ok(testable.length >= 5, `only ${testable.length} testable blocks`);
    for (const block of blocks.filter((candidate) => !candidate.isTestable)) {
      assert.ok(block.text.startsWith(NOT_TESTED_MARK), `docs/deploy.md:${block.line}: a shell block that is not testable starts with '${NOT_TESTED_MARK} <why>'`);
    }
  });

  it('runs nothing in a testable block that would act on the machine', () => {
    for (const block of testable) {
      const match = MACHINE_COMMANDS.exec(block.text);
      assert.equal(match, null, `docs/deploy.md:${block.line}: a testable block uses '${match?.[0]}': mark it '${NOT_TESTED_MARK} ...' instead`);
    }
  });

  describe('run in order against a scratch shared directory, with the emulated watchdog', function () {
    this.timeout(BLOCK_TIMEOUT_MS + 10_000);
    let scratch: { root: string; env: NodeJS.ProcessEnv };
    let failedLine: number | undefined;
    before(() => {
      scratch = scratchSetup();
    });
    after(() => rmSync(scratch.root, { recursive: true, force: true }));

    for (const block of testable) {
      it(`docs/deploy.md:${block.line}: ${block.text.split('\n')[0]!.slice(0, 70)}`, async function () {
        if (failedLine !== undefined) this.skip(); // it builds on the block that failed
        const run = await runBlock(block.text, scratch);
        if (run.how === undefined) return;
        failedLine = block.line;
        const tail = run.output.trim().split('\n').slice(-12).join('\n');
        assert.fail(`docs/deploy.md:${block.line}: the block ${run.how}\n${tail}`);
      });
    }
  });
});
