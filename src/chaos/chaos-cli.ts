import { join } from 'node:path';
import { CHAOS_TIMINGS, describeChaosConfig, DEFAULT_CHAOS_CONFIG, parseChaosTiming, parseFaultKinds, validateChaosConfig, type ChaosConfig } from './chaos-config.ts';
import { commandCount } from './chaos-plan.ts';
import { generatePlan } from './generate-plan.ts';
import { PLANTED_BUGS, type PlantedBug } from './planted-bugs.ts';
import { ProgressBar } from './progress-bar.ts';
import { shrinkPlan } from './shrink.ts';
import { runSwarm, type SeedOutcome } from './swarm.ts';
import { writeScenario } from './write-scenario.ts';
import { livenessBoundMs } from './liveness-bound.ts';

export interface ChaosArgs {
  readonly seed?: number | undefined;
  readonly seeds?: string | undefined;
  readonly nodes?: number | undefined;
  /** `default` (fence_timeout 60 s) or `reference` (Proxmox's timings). */
  readonly timing?: string | undefined;
  readonly services?: number | undefined;
  readonly duration?: number | undefined;
  readonly faults?: string | undefined;
  readonly rate?: number | undefined;
  readonly out?: string | undefined;
  readonly workers?: number | undefined;
  readonly plant?: string | undefined;
  /** How many failing seeds to shrink and write out. */
  readonly shrink?: number | undefined;
}

/** A run covers at most this many seeds: beyond it, split the range. */
export const CHAOS_SEEDS_MAX = 1_000_000;
const SHRINK_DEFAULT = 3;

/** Thrown for bad arguments; the caller turns it into its usage error. */
export class ChaosUsageError extends Error {}

export interface ChaosReport {
  readonly seeds: number;
  readonly violations: number;
  readonly outcomes: readonly SeedOutcome[];
}

/** `simulate --chaos`: prints the seeds and rates first, a progress bar, each violation, then `N seeds, V violations`. */
export async function runChaos(args: ChaosArgs, { out, err }: { out: NodeJS.WriteStream; err: NodeJS.WriteStream }): Promise<ChaosReport> {
  const seeds = parseSeeds(args);
  const config = chaosConfigOf(args);
  const bug = parseBug(args.plant);
  out.write(`chaos: seeds ${seeds[0]}..${seeds.at(-1)}${bug ? `, planted bug ${bug}` : ''}; ${describeChaosConfig(config)}\n`);
  const startMs = Date.now();
  const progress = new ProgressBar(seeds.length, err);
  const outcomes = await runSwarm({ seeds, config, bug, ...(args.workers !== undefined ? { workers: args.workers } : {}), onProgress: (done, violations) => progress.update(done, violations) });
  const failing = outcomes.filter((outcome) => outcome.violation !== undefined);
  for (const outcome of failing) {
    const violation = outcome.violation!;
    out.write(`VIOLATION seed ${outcome.seed}: ${violation.invariant} at t=${violation.t}: ${violation.message}\n`);
  }
  const shrinkCount = args.shrink ?? SHRINK_DEFAULT;
  for (const outcome of failing.slice(0, shrinkCount)) {
    const plan = generatePlan(outcome.seed, config);
    const shrunk = shrinkPlan(plan, { violation: outcome.violation!, bug });
    const dir = join(args.out ?? 'chaos-failures', `seed-${outcome.seed}`);
    writeScenario(dir, { plan: shrunk.plan, violation: shrunk.violation, originalCommands: commandCount(plan), bug });
    const plant = bug ? ` --plant ${bug}` : '';
    out.write(`seed ${outcome.seed}: scenario ${dir} (${commandCount(shrunk.plan)} of ${commandCount(plan)} commands); replay: ./bin/ha-manager simulate ${dir} --seed ${outcome.seed} --check${plant}\n`);
  }
  const unchecked = outcomes.filter((outcome) => !outcome.violation && !outcome.isLivenessChecked).length;
  if (unchecked > 0) out.write(`note: ${unchecked} seeds ended before the liveness bound after their last heal\n`);
  const settled = outcomes.map((outcome) => outcome.settledAfterS).filter((seconds): seconds is number => seconds !== undefined);
  if (settled.length > 0) {
    const bound = livenessBoundMs(CHAOS_TIMINGS[config.timing], config.nodes) / 1000;
    out.write(`liveness: slowest settle ${Math.max(...settled)} s after the faults stopped (first heal); bound ${bound} s after the last heal, over ${settled.length} seeds\n`);
  }
  out.write(`wall time ${((Date.now() - startMs) / 1000).toFixed(1)} s\n`);
  out.write(`${outcomes.length} seeds, ${failing.length} violations\n`);
  return { seeds: outcomes.length, violations: failing.length, outcomes };
}

export function parseSeeds(args: Pick<ChaosArgs, 'seed' | 'seeds'>): number[] {
  if (args.seed !== undefined && args.seeds !== undefined) throw new ChaosUsageError('Give --seed or --seeds, not both');
  if (args.seed !== undefined) {
    if (!Number.isSafeInteger(args.seed) || args.seed < 0) throw new ChaosUsageError(`--seed: expected a non-negative integer, got ${args.seed}`);
    return [args.seed];
  }
  const match = /^(\d+)\.\.(\d+)$/.exec(args.seeds ?? '1..100');
  if (!match) throw new ChaosUsageError(`--seeds: expected A..B, got '${args.seeds}'`);
  const from = Number(match[1]);
  const to = Number(match[2]);
  if (to < from || to - from + 1 > CHAOS_SEEDS_MAX || !Number.isSafeInteger(to)) {
    throw new ChaosUsageError(`--seeds: expected A..B with A <= B and at most ${CHAOS_SEEDS_MAX} seeds, got '${args.seeds}'`);
  }
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

export function chaosConfigOf(args: ChaosArgs): ChaosConfig {
  const faults = parseFaultKinds(args.faults ?? 'all');
  if (typeof faults === 'string') throw new ChaosUsageError(faults);
  const timing = parseChaosTiming(args.timing ?? DEFAULT_CHAOS_CONFIG.timing);
  if (!Object.hasOwn(CHAOS_TIMINGS, timing)) throw new ChaosUsageError(timing);
  const config: ChaosConfig = {
    nodes: args.nodes ?? DEFAULT_CHAOS_CONFIG.nodes,
    timing: timing as ChaosConfig['timing'],
    services: args.services ?? DEFAULT_CHAOS_CONFIG.services,
    durationS: args.duration ?? DEFAULT_CHAOS_CONFIG.durationS,
    faults,
    eventsPerSlot: args.rate ?? DEFAULT_CHAOS_CONFIG.eventsPerSlot,
  };
  const problems = validateChaosConfig(config);
  if (problems.length > 0) throw new ChaosUsageError(problems.join('; '));
  return config;
}

export function parseBug(text: string | undefined): PlantedBug | undefined {
  if (text === undefined) return undefined;
  if (!(PLANTED_BUGS as readonly string[]).includes(text)) throw new ChaosUsageError(`--plant: expected one of ${PLANTED_BUGS.join(', ')}, got '${text}'`);
  return text as PlantedBug;
}
