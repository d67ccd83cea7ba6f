/**
 * CLI benchmark: the wall time of `ha-manager status`, `config`, `groupconfig` and `--help`, each run
 * as a real child process (bin/ha-manager, as an operator runs it) against a scratch shared directory
 * with a few nodes, groups and resources. Prints the median and the 90th percentile of RUNS runs and
 * the bound of issue 10 (median ≤ BOUND_MS); exits 1 when a median is over it.
 *
 * The CLI runs the bundle that `npm run build` makes (built here first), chosen as an operator's call
 * chooses it: the launcher's freshness check is part of what is measured (the bench checks before and
 * after that the bundle was fresh all along); if the sources do not compile right now it measures what
 * runs (tsx) and says so. `node -e 0` is measured too: the start of Node itself, which no change to
 * ha-manager can go below; on a loaded machine both rise together.
 *
 *   npm run bench:cli
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const BIN = resolve('bin/ha-manager');
/** Runs per command (the median of 20 is issue 10's measure). */
const RUNS = 20;
/** Runs before measuring: the file system cache and the CPU caches are warm for an operator too. */
const WARMUP_RUNS = 2;
/** Issue 10: `status`, `config`, `groupconfig` and `--help` answer within this, median of 20. */
const BOUND_MS = 150;

const COMMANDS: ReadonlyArray<readonly string[]> = [['status'], ['config'], ['groupconfig'], ['--help']];

// @ts-expect-error: bin/launcher.cjs is plain JavaScript without declarations (it runs before tsx).
const { isBundleFresh } = (await import('../bin/launcher.cjs')) as { isBundleFresh: () => boolean };

function buildDist(): 'dist' | 'tsx' {
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'ignore'] });
    return isBundleFresh() ? 'dist' : 'tsx';
  } catch {
    return 'tsx'; // src/ does not compile right now: measure what runs
  }
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv): void {
  execFileSync(BIN, [...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A shared directory with three nodes in two groups and six resources. */
function scratchSharedDir(env: NodeJS.ProcessEnv): string {
  const dir = mkdtempSync(join(tmpdir(), 'ha-bench-cli-'));
  const run = (...args: string[]) => cli([...args, '--dir', dir], env);
  run('init', '--nodes', 'node1,node2,node3');
  run('groupadd', 'web', '--nodes', 'node1:2,node2,node3');
  run('groupadd', 'db', '--nodes', 'node2,node3', '--restricted');
  for (const [sid, group] of [['vm:100', 'web'], ['vm:101', 'web'], ['vm:102', 'db'], ['ct:200', 'web'], ['ct:201', 'db'], ['vm:103', 'web']] as const) {
    run('add', sid, '--group', group, '--node', group === 'db' ? 'node2' : 'node1');
  }
  run('set', 'vm:103', '--state', 'stopped');
  return dir;
}

/** Wall milliseconds of `command args`, RUNS times after WARMUP_RUNS, sorted. */
function timesMs(command: string, args: readonly string[], env: NodeJS.ProcessEnv): number[] {
  const times: number[] = [];
  for (let run = 0; run < WARMUP_RUNS + RUNS; run++) {
    const startMs = performance.now();
    const result = spawnSync(command, [...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const elapsedMs = performance.now() - startMs;
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.toString().trim()}`);
    if (run >= WARMUP_RUNS) times.push(elapsedMs);
  }
  return times.sort((a, b) => a - b);
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (value: number) => `${value.toFixed(0).padStart(4)} ms`;

const from = buildDist();
const env: NodeJS.ProcessEnv = { ...process.env, ...(from === 'tsx' ? { HA_MANAGER_TSX: '1' } : {}) };
delete env.HA_MANAGER_DIR;
if (from === 'dist') delete env.HA_MANAGER_DIST; // the launcher decides, as for an operator
const dir = scratchSharedDir(env);
console.log(`cli bench: ha-manager runs from ${from}; median and p90 of ${RUNS} runs (wall clock), bound ${BOUND_MS} ms on the median`);
let over = 0;
try {
  const floor = timesMs(process.execPath, ['-e', '0'], env);
  console.log(`  ${'node -e 0 (floor)'.padEnd(24)} median ${ms(quantile(floor, 0.5))}   p90 ${ms(quantile(floor, 0.9))}`);
  for (const command of COMMANDS) {
    const args = command[0] === '--help' ? [...command] : [...command, '--dir', dir];
    const times = timesMs(BIN, args, env);
    const median = quantile(times, 0.5);
    const isOver = median > BOUND_MS;
    if (isOver) over++;
    console.log(`  ${`ha-manager ${command.join(' ')}`.padEnd(24)} median ${ms(median)}   p90 ${ms(quantile(times, 0.9))}   ${isOver ? `OVER ${BOUND_MS} ms` : 'ok'}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (from === 'dist' && !isBundleFresh()) {
  console.log('cli bench: a source changed while the bench ran, so some runs used tsx: run it again');
  process.exitCode = 1;
}
if (over > 0) {
  console.log(`cli bench: ${over} of ${COMMANDS.length} commands over ${BOUND_MS} ms (compare with the node floor above: a loaded machine raises both)`);
  process.exitCode = 1;
}
