/**
 * Scale benchmark of the HA core in the simulator: scenarios made by
 * ../shared/tools/gen-scale-scenario.mjs (all services running, then one node's network cut; the
 * master fences it and recovers its services). For each it prints the wall time of the whole run, the
 * mean and worst time of one steady manager round (a master CRM iteration that changed no service),
 * and the time of the recovery round (the master iteration that recovered the lost node's services).
 *
 *   npm run bench                      all three sizes
 *   npm run bench -- 8x5000            one size (NODESxSERVICES)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadScenario } from '../src/sim/scenario.ts';
import { Simulator } from '../src/sim/simulator.ts';

const GENERATOR = resolve('../shared/tools/gen-scale-scenario.mjs');
const SIZES: Array<[number, number]> = [
  [5, 1000],
  [8, 5000],
  [100, 10000],
];

interface Figures {
  readonly label: string;
  readonly wallMs: number;
  readonly steadyMeanMs: number;
  readonly steadyWorstMs: number;
  readonly steadyRounds: number;
  readonly recoveryMs: number;
  readonly recovered: number;
}

function measure(nodes: number, services: number, work: string): Figures {
  const dir = join(work, `${nodes}x${services}`);
  execFileSync('node', [GENERATOR, '--nodes', String(nodes), '--services', String(services), '--out', dir], { stdio: 'pipe' });
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
  const wallMs = performance.now() - startMs;
  const mean = steady.reduce((sum, value) => sum + value, 0) / Math.max(1, steady.length);
  return {
    label: `${nodes} nodes x ${services} services`,
    wallMs,
    steadyMeanMs: mean,
    steadyWorstMs: Math.max(0, ...steady),
    steadyRounds: steady.length,
    recoveryMs,
    recovered,
  };
}

function main(): void {
  if (!existsSync(GENERATOR)) {
    console.log(`SKIPPED: ${GENERATOR} is not present beside this clone`);
    return;
  }
  const only = process.argv[2];
  const sizes = only ? SIZES.filter(([n, m]) => `${n}x${m}` === only) : SIZES;
  if (sizes.length === 0) throw new Error(`Unknown size '${only}', expected one of ${SIZES.map(([n, m]) => `${n}x${m}`).join(', ')}`);
  const work = mkdtempSync(join(tmpdir(), 'ha-bench-'));
  try {
    console.log('scenario                         run wall   steady round mean / worst (n)   recovery round (services)');
    for (const [nodes, services] of sizes) {
      const f = measure(nodes, services, work);
      console.log(
        `${f.label.padEnd(32)} ${(f.wallMs / 1000).toFixed(2).padStart(7)} s ` +
          `${f.steadyMeanMs.toFixed(2).padStart(9)} ms / ${f.steadyWorstMs.toFixed(2).padStart(7)} ms (${f.steadyRounds})` +
          `   ${f.recoveryMs.toFixed(2).padStart(8)} ms (${f.recovered})`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
