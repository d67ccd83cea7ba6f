import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChaosConfig } from './chaos-config.ts';
import type { Violation } from './invariants.ts';
import type { PlantedBug } from './planted-bugs.ts';
import { runChunk, type ChunkRequest } from './chaos-worker.ts';

export interface SeedOutcome {
  readonly seed: number;
  readonly violation: Violation | undefined;
  readonly isLivenessChecked: boolean;
  readonly settledAfterS: number | undefined;
}

export interface SwarmOptions {
  readonly seeds: readonly number[];
  readonly config: ChaosConfig;
  readonly bug?: PlantedBug | undefined;
  /** Child processes; 1 runs in this process. */
  readonly workers?: number;
  readonly onProgress?: (done: number, violations: number) => void;
}

/** Seeds per message to a worker: small enough for a smooth progress bar, large enough to be cheap. */
const CHUNK_SEEDS = 20;
/** More workers than this only queue on the CPUs. */
export const WORKERS_MAX = 64;

/** Runs every seed, spread over child processes; outcomes come back in seed order. */
export async function runSwarm(options: SwarmOptions): Promise<SeedOutcome[]> {
  const workers = Math.min(options.workers ?? defaultWorkers(), WORKERS_MAX, Math.ceil(options.seeds.length / CHUNK_SEEDS));
  const chunks: ChunkRequest[] = [];
  for (let at = 0; at < options.seeds.length; at += CHUNK_SEEDS) {
    chunks.push({ config: options.config, bug: options.bug, seeds: options.seeds.slice(at, at + CHUNK_SEEDS) });
  }
  const outcomes: SeedOutcome[] = [];
  let violations = 0;
  const collect = (results: SeedOutcome[]) => {
    outcomes.push(...results);
    violations += results.filter((outcome) => outcome.violation).length;
    options.onProgress?.(outcomes.length, violations);
  };
  if (workers <= 1) {
    for (const chunk of chunks) collect(runChunk(chunk));
  } else {
    await Promise.all(Array.from({ length: workers }, () => drainInChild(chunks, collect)));
  }
  return outcomes.sort((a, b) => a.seed - b.seed);
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** One child process takes chunks off the shared queue until it is empty. */
function drainInChild(queue: ChunkRequest[], collect: (results: SeedOutcome[]) => void): Promise<void> {
  // The worker is this module's sibling in the same form: compiled in dist/ (.js) when the CLI runs from
  // there, the TypeScript source through tsx otherwise.
  const isSource = import.meta.url.endsWith('.ts');
  const child: ChildProcess = fork(fileURLToPath(new URL(isSource ? './chaos-worker.ts' : './chaos-worker.js', import.meta.url)), [], {
    execArgv: isSource ? ['--import', import.meta.resolve('tsx')] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, HA_CHAOS_WORKER: '1' },
  });
  return new Promise((resolve, reject) => {
    const next = () => {
      const chunk = queue.shift();
      if (chunk) child.send(chunk);
      else child.send('exit');
    };
    child.on('message', (results: SeedOutcome[]) => {
      collect(results);
      next();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`Chaos worker exited with code ${code}`))));
    next();
  });
}
