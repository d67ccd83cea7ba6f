import type { ChaosPlan } from './chaos-plan.ts';
import { commandCount } from './chaos-plan.ts';
import type { Violation } from './invariants.ts';
import type { PlantedBug } from './planted-bugs.ts';
import { runPlan } from './run-plan.ts';

/** Re-runs a shrink may make: each is one simulation, most end early at their violation. */
const SHRINK_RUNS_MAX = 3000;
/** Passes over the commands: a removal can make another one possible. */
const SHRINK_PASSES_MAX = 4;

export interface ShrinkResult {
  readonly plan: ChaosPlan;
  readonly violation: Violation;
  readonly runs: number;
}

/**
 * Removes commands while the run still breaks the same invariant: whole batches first, then single
 * commands, until no single command can go (or the run budget is spent). Empty batches stay, so the
 * remaining commands keep their times.
 */
export function shrinkPlan(plan: ChaosPlan, { violation, bug }: { violation: Violation; bug?: PlantedBug | undefined }): ShrinkResult {
  let current = plan;
  let currentViolation = violation;
  let runs = 0;
  const tryPlan = (candidate: ChaosPlan): boolean => {
    if (runs >= SHRINK_RUNS_MAX) return false;
    runs++;
    const outcome = runPlan(candidate, { bug });
    if (outcome.violation?.invariant !== violation.invariant) return false;
    current = candidate;
    currentViolation = outcome.violation;
    return true;
  };
  for (let batch = current.batches.length - 1; batch >= 0; batch--) {
    if (current.batches[batch]!.length > 0) tryPlan(withBatch(current, batch, []));
  }
  for (let pass = 0; pass < SHRINK_PASSES_MAX; pass++) {
    const before = commandCount(current);
    for (let batch = current.batches.length - 1; batch >= 0; batch--) {
      for (let index = current.batches[batch]!.length - 1; index >= 0; index--) {
        const commands = current.batches[batch]!.filter((_command, at) => at !== index);
        tryPlan(withBatch(current, batch, commands));
      }
    }
    if (commandCount(current) === before) break;
  }
  return { plan: trimTrailingBatches(current), violation: currentViolation, runs };
}

function withBatch(plan: ChaosPlan, batchIndex: number, commands: readonly string[]): ChaosPlan {
  return { ...plan, batches: plan.batches.map((batch, at) => (at === batchIndex ? commands : batch)) };
}

function trimTrailingBatches(plan: ChaosPlan): ChaosPlan {
  let end = plan.batches.length;
  while (end > 0 && plan.batches[end - 1]!.length === 0) end--;
  return { ...plan, batches: plan.batches.slice(0, end) };
}
