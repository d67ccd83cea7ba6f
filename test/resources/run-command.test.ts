import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStartTime } from '../../src/resources/process-identity.ts';
import { runCommand } from '../../src/resources/run-command.ts';

describe('runCommand', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-run-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes arguments as they are, with no shell in between', async () => {
    const marker = join(dir, 'pwned');
    const result = await runCommand(['/bin/echo', `$(touch ${marker})`, '; ls', '*'], { timeoutMs: 5_000 });
    assert.equal(result.exec, 'done');
    assert.equal(result.stdout, `$(touch ${marker}) ; ls *\n`);
    assert.equal(existsSync(marker), false);
  });

  it('writes the input to stdin and closes it; without input stdin is empty', async () => {
    const withInput = await runCommand(['/bin/cat'], { timeoutMs: 5_000, input: 'a=1\nb=2\n' });
    assert.equal(withInput.stdout, 'a=1\nb=2\n');
    const without = await runCommand(['/bin/cat'], { timeoutMs: 5_000 });
    assert.deepEqual([without.exec, without.stdout], ['done', '']);
    const ignoring = await runCommand(['/bin/true'], { timeoutMs: 5_000, input: 'x'.repeat(1 << 20) });
    assert.deepEqual([ignoring.exec, ignoring.code], ['done', 0]);
  });

  it('keeps the exit code and the first error line', async () => {
    const result = await runCommand(['/bin/sh', '-c', 'echo oops >&2; echo more >&2; exit 6'], { timeoutMs: 5_000 });
    assert.deepEqual([result.exec, result.code], ['done', 6]);
    assert.equal(result.detail, '/bin/sh exited with 6: oops');
  });

  it('answers not-installed for a command that is missing or not executable', async () => {
    assert.equal((await runCommand(['/nonexistent/tool'], { timeoutMs: 5_000 })).exec, 'not-installed');
    assert.equal((await runCommand(['no-such-tool-here'], { timeoutMs: 5_000, env: { PATH: dir } })).exec, 'not-installed');
    assert.equal((await runCommand([join(dir)], { timeoutMs: 5_000 })).exec, 'not-installed');
  });

  it('reports a command killed by a signal as an execution error', async () => {
    const result = await runCommand(['/bin/sh', '-c', 'kill -KILL $$'], { timeoutMs: 5_000 });
    assert.deepEqual([result.exec, result.code], ['error', -1]);
    assert.match(result.detail, /killed by SIGKILL/);
  });

  it('kills a hung command and its children at the time-out, even one that ignores SIGTERM', async () => {
    const pidFile = join(dir, 'child.pid');
    const script = `trap '' TERM; sleep 30 & echo $! > ${pidFile}; while :; do sleep 1; done`;
    const startedMs = Date.now();
    const result = await runCommand(['/bin/sh', '-c', script], { timeoutMs: 1_000 });
    const tookMs = Date.now() - startedMs;
    assert.equal(result.exec, 'timeout');
    assert.ok(tookMs >= 1_000 && tookMs < 2_000, `took ${tookMs} ms`);
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(processStartTime(childPid), undefined, `child ${childPid} still running`); // gone, or a zombie nobody reaped
  });

  it('returns when the command exits, though a daemon it started keeps the output pipes open', async () => {
    const pidFile = join(dir, 'daemon.pid');
    const startedMs = Date.now();
    const result = await runCommand(['/bin/sh', '-c', `echo started; sleep 30 & echo $! > ${pidFile}; exit 0`], { timeoutMs: 5_000 });
    const daemonPid = Number(readFileSync(pidFile, 'utf8'));
    try {
      assert.deepEqual([result.exec, result.code, result.stdout], ['done', 0, 'started\n']);
      assert.ok(Date.now() - startedMs < 1_000, `took ${Date.now() - startedMs} ms`);
      assert.notEqual(processStartTime(daemonPid), undefined, 'the daemon was killed');
    } finally {
      process.kill(daemonPid, 'SIGKILL');
    }
  });

  it('bounds the output it keeps', async () => {
    const result = await runCommand(['/bin/sh', '-c', 'head -c 200000 /dev/zero'], { timeoutMs: 5_000 });
    assert.equal(result.stdout.length, 64 * 1024);
  });

  it('refuses an empty command line and a time-out that is not positive', () => {
    assert.throws(() => runCommand([], { timeoutMs: 1 }), /Bad argument argv: \[\]/);
    assert.throws(() => runCommand(['/bin/true'], { timeoutMs: 0 }), /Bad argument timeoutMs: 0/);
  });
});
