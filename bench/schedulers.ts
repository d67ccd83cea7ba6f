/**
 * Benchmark of the schedulers (README-5.2 §7): the steady manager round at 8 nodes × 5,000 services
 * with the dynamic scheduler (budget 4 ms), and one automatic-rebalancing pass at 100 nodes × 10,000
 * services, bruteforce and topsis (budget 50 ms for the default, bruteforce).
 *
 *   npm run bench:sched
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_AUTO_REBALANCE, DEFAULT_CLUSTER_SETTINGS, type RebalanceMethod } from '../src/common/ha-config.ts';
import { newServiceStatus, type ServiceStatus } from '../src/common/manager-status.ts';
import { Prng } from '../src/common/prng.ts';
import { NodeUsage } from '../src/crm/node-usage.ts';
import { compileRules } from '../src/crm/rules/compile-rules.ts';
import { ServiceAffinity } from '../src/crm/rules/service-affinity.ts';
import { Scheduler } from '../src/crm/scheduler.ts';
import type { HaConfig } from '../src/env/env.ts';
import { loadScenario } from '../src/sim/scenario.ts';
import { Simulator } from '../src/sim/simulator.ts';
import { scaleRulesText } from './scale-rules.ts';

const GENERATOR = resolve('../shared/tools/gen-scale-scenario.mjs');
const WARM_RUNS = 3;
const PASSES = 5;

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const ms = (value: number) => `${value.toFixed(2)} ms`;

/**
 * Steady master rounds (no service changed) of the scale scenario with `crs.ha dynamic`, and with
 * `rules` HA rules (scale-rules.ts: half node affinity, half resource affinity) when it is not 0.
 */
function steadyDynamic(work: string, rules: number): number[] {
  const dir = join(work, `8x5000-dynamic-${rules}rules`);
  execFileSync('node', [GENERATOR, '--nodes', '8', '--services', '5000', '--out', dir], { stdio: 'pipe' });
  writeFileSync(join(dir, 'datacenter.cfg'), JSON.stringify({ crs: { ha: 'dynamic' } }));
  if (rules > 0) writeFileSync(join(dir, 'rules_config'), scaleRulesText({ count: rules, nodes: 8, services: 5000 }));
  const rounds: number[][] = [];
  for (let run = 0; run <= WARM_RUNS; run++) {
    const steady: number[] = [];
    let changes = 0;
    new Simulator(loadScenario(dir), {
      seed: 1,
      onEvent: (event) => {
        if (event.ev === 'service-state' || event.ev === 'service-add' || event.ev === 'recover') changes++;
      },
      onCrmIteration: (_node, isMaster, iterate) => {
        changes = 0;
        const before = performance.now();
        iterate();
        const elapsedMs = performance.now() - before;
        if (isMaster && changes === 0) steady.push(elapsedMs);
      },
    }).run();
    if (run > 0) rounds.push(steady); // the first run is cold
  }
  return rounds.flat();
}

/**
 * One rebalancing pass over 100 nodes and 10,000 started services of varied measured loads, all on
 * the first half of the nodes (so the cluster is unbalanced and every service is a candidate to 99
 * nodes): the imbalance, the candidates and the choice, as the master runs it.
 */
function rebalancePass(method: RebalanceMethod): { ms: number[]; chose: string } {
  const prng = new Prng(7);
  const nodes = Array.from({ length: 100 }, (_, index) => `node${String(index + 1).padStart(3, '0')}`);
  const sids = Array.from({ length: 10_000 }, (_, index) => `vm:${100 + index}`);
  const entries: Array<[string, ServiceStatus]> = sids.map((sid, index) => {
    const status = newServiceStatus('started', nodes[index % 50]!, `u${index}`);
    status.running = true;
    return [sid, status];
  });
  const loads = new Map(sids.map((sid) => [sid, { cpu: 0.1 + prng.int(40) / 10, memBytes: (256 + prng.int(8192)) * 1024 * 1024 }]));
  const base = new Map(nodes.map((node) => [node, { cpu: 0, memBytes: 0 }]));
  for (const [sid, status] of entries) {
    const load = loads.get(sid)!;
    const sum = base.get(status.node)!;
    base.set(status.node, { cpu: sum.cpu + load.cpu, memBytes: sum.memBytes + load.memBytes });
  }
  const capacities = Object.fromEntries(nodes.map((node) => [node, { cpus: 128, memoryBytes: 1024 * 1024 * 1024 * 1024 }]));
  const sizes = Object.fromEntries(sids.map((sid) => [sid, { maxCpu: 4, maxMemBytes: 8 * 1024 * 1024 * 1024 }]));
  const resources = Object.fromEntries(sids.map((sid, index) => [sid, { node: nodes[index % 50]!, state: 'started' as const, maxRestart: 1, maxRelocate: 1 }]));
  const settings = { ...DEFAULT_CLUSTER_SETTINGS, placement: 'dynamic' as const, autoRebalance: { ...DEFAULT_AUTO_REBALANCE, isEnabled: true, holdRounds: 0, margin: 0, method } };
  const config: HaConfig = { resources, groups: {}, rules: [], settings, serviceSizes: sizes, nodeCapacities: {} };
  const byId = new Map(entries);
  const times: number[] = [];
  let chose = '';
  for (let pass = 0; pass <= PASSES; pass++) {
    const usage = new NodeUsage(nodes, { mode: 'dynamic', sizes, capacities, base, loads });
    for (const [sid, status] of entries) usage.add(sid, status);
    const scheduler = new Scheduler(() => {});
    const before = performance.now();
    scheduler.rebalance({ config, usage, entries, service: (sid) => byId.get(sid), submit: (line) => (chose = line) , affinity: new ServiceAffinity(compileRules([], nodes), nodes, () => undefined) });
    if (pass > 0) times.push(performance.now() - before); // the first pass runs cold
  }
  return { ms: times, chose };
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'ha-bench-sched-'));
  try {
    if (existsSync(GENERATOR)) {
      for (const rules of [0, 500]) {
        const steady = steadyDynamic(work, rules);
        const withRules = rules > 0 ? ` and ${rules} HA rules` : '';
        console.log(`steady round, 8 nodes x 5000 services, dynamic scheduler${withRules}: mean ${ms(mean(steady))}, worst ${ms(Math.max(...steady))} (${steady.length} rounds; budget 4 ms)`);
      }
    } else {
      console.log(`SKIPPED the steady round: ${GENERATOR} is not present beside this clone`);
    }
    for (const method of ['bruteforce', 'topsis'] as const) {
      const pass = rebalancePass(method);
      console.log(`auto-rebalance pass, 100 nodes x 10000 services, ${method}: mean ${ms(mean(pass.ms))}, worst ${ms(Math.max(...pass.ms))} (${pass.ms.length} passes; chose '${pass.chose}')`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
