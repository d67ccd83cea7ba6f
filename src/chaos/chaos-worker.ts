/**
 * A child process of the swarm: receives chunks of seeds, runs each, answers with the outcomes.
 * Started by swarm.ts with tsx's loader; everything it needs comes in the messages.
 */
import type { ChaosConfig } from './chaos-config.ts';
import { generatePlan } from './generate-plan.ts';
import type { PlantedBug } from './planted-bugs.ts';
import { runPlan } from './run-plan.ts';
import type { SeedOutcome } from './swarm.ts';

export interface ChunkRequest {
  readonly config: ChaosConfig;
  readonly bug: PlantedBug | undefined;
  readonly seeds: readonly number[];
}

/** Runs the seeds of a chunk in order. */
export function runChunk(request: ChunkRequest): SeedOutcome[] {
  return request.seeds.map((seed) => {
    const outcome = runPlan(generatePlan(seed, request.config), { bug: request.bug });
    return { seed, violation: outcome.violation, isLivenessChecked: outcome.isLivenessChecked, settledAfterS: outcome.settledAfterS };
  });
}

if (process.send !== undefined && process.env.HA_CHAOS_WORKER === '1') {
  process.on('message', (message: ChunkRequest | 'exit') => {
    if (message === 'exit') {
      process.disconnect();
      return;
    }
    process.send!(runChunk(message));
  });
}
