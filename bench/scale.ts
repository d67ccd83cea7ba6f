/**
 * Scale benchmark of the HA core in the simulator: scenarios made by
 * ../shared/tools/gen-scale-scenario.mjs (all services running, then one node's network cut; the
 * master fences it and recovers its services). For each it prints the wall time of the whole run, the
 * mean and worst time of one steady manager round (a master CRM iteration that changed no service),
 * and the time of the recovery round (the master iteration that recovered the lost node's services):
 * first for a cold run, then pooled over three warm runs of the same scenario in the same process.
 *
 *   npm run bench                      all three sizes
 *   node --import tsx bench/scale.ts 8x5000   one size (NODESxSERVICES, or 8x5000+500rules with HA rules); `npm run bench -- X` would hand X to the last bench of the chain
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadScenario } from '../src/sim/scenario.ts';
import { Simulator } from '../src/sim/simulator.ts';
import { scaleRulesText } from './scale-rules.ts';

const GENERATOR = resolve('../shared/tools/gen-scale-scenario.mjs');
const SIZES: Array<[number, number, number?]> = [
  [5, 1000],
  [8, 5000],
  // The same with HA rules (scale-rules.ts): 250 node affinity, 125 positive, 125 negative.
  [8, 5000, 500],
  [100, 10000],
];

/** Runs after the first, measured: the first runs cold (code not yet optimised by the JIT). */
const WARM_RUNS = 3;

interface RunFigures {
  readonly wallMs: number;
  readonly steady: readonly number[];
  readonly recoveryMs: number;
  readonly recovered: number;
}

/** One simulation of the scenario, timing every master CRM iteration. */
function runOnce(dir: string): RunFigures {
  const scenario = loadScenario(dir);
  let changesThisIteration = 0;
  let recoveredThisIteration = 0;
  const steady: number[] = [];
  let recoveryMs = 0;
  let recovered = 0;
  const startMs = performance.now();
  new Simulator(scenario, {
    seed: 1,
    onEvent: (event) => {
      if (event.ev === 'service-state' || event.ev === 'service-add') changesThisIteration++;
      if (event.ev === 'recover') recoveredThisIteration++;
    },
    onCrmIteration: (_node, isMaster, run) => {
      changesThisIteration = 0;
      recoveredThisIteration = 0;
      const before = performance.now();
      run();
      const elapsedMs = performance.now() - before;
      if (!isMaster) return;
      if (recoveredThisIteration > 0) {
        recoveryMs += elapsedMs;
        recovered += recoveredThisIteration;
      } else if (changesThisIteration === 0) {
        steady.push(elapsedMs);
      }
    },
  }).run();
  return { wallMs: performance.now() - startMs, steady, recoveryMs, recovered };
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const ms = (value: number, width = 7) => `${value.toFixed(2).padStart(width)} ms`;

/**
 * The first run is reported on its own (cold); the figures that follow pool the warm runs, as a
 * master that has been running a while would see them.
 */
function measure(nodes: number, services: number, work: string, rules = 0): string {
  const name = `${nodes}x${services}${rules > 0 ? `+${rules}rules` : ''}`;
  const dir = join(work, name);
  execFileSync('node', [GENERATOR, '--nodes', String(nodes), '--services', String(services), '--out', dir], { stdio: 'pipe' });
  if (rules > 0) writeFileSync(join(dir, 'rules_config'), scaleRulesText({ count: rules, nodes, services }));
  const cold = runOnce(dir);
  const warm = Array.from({ length: WARM_RUNS }, () => runOnce(dir));
  const steady = warm.flatMap((run) => run.steady);
  return (
    `${`${nodes} nodes x ${services} services${rules > 0 ? ` +${rules}r` : ''}`.padEnd(28)}` +
    `${(cold.wallMs / 1000).toFixed(2).padStart(6)} s ${ms(mean(cold.steady))} ${ms(cold.recoveryMs, 8)}  |` +
    `${(mean(warm.map((run) => run.wallMs)) / 1000).toFixed(2).padStart(6)} s ` +
    `${ms(mean(steady))} / ${ms(Math.max(0, ...steady))} (${steady.length})` +
    `${ms(mean(warm.map((run) => run.recoveryMs)), 8)} (${warm[0]!.recovered})`
  );
}

function main(): void {
  if (!existsSync(GENERATOR)) {
    console.log(`SKIPPED: ${GENERATOR} is not present beside this clone`);
    return;
  }
  const only = process.argv[2];
  const label = ([n, m, r]: (typeof SIZES)[number]) => `${n}x${m}${r ? `+${r}rules` : ''}`;
  const sizes = only ? SIZES.filter((size) => label(size) === only) : SIZES;
  if (sizes.length === 0) throw new Error(`Unknown size '${only}', expected one of ${SIZES.map(label).join(', ')}`);
  const work = mkdtempSync(join(tmpdir(), 'ha-bench-'));
  try {
    console.log(`                            first run (cold)                | next ${WARM_RUNS} runs (warm, steady rounds pooled)`);
    console.log('scenario                      wall  steady mean  recovery  |  wall  steady mean / worst (n)       recovery (services)');
    for (const [nodes, services, rules] of sizes) console.log(measure(nodes, services, work, rules));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
