import { AssertionError } from '../common/assert.ts';
import type { TraceEvent } from '../common/trace.ts';
import { Simulator } from '../sim/simulator.ts';
import type { Scenario } from '../sim/scenario.ts';
import type { ChaosPlan } from './chaos-plan.ts';
import { InvariantChecker, InvariantViolation, type Violation } from './invariants.ts';
import { livenessBoundMs, timingLimits } from './liveness-bound.ts';
import { plantedBugHooks, type PlantedBug } from './planted-bugs.ts';
import { scenarioOfPlan } from './plan-scenario.ts';

export interface PlanOutcome {
  readonly violation: Violation | undefined;
  readonly endS: number;
  readonly isLivenessChecked: boolean;
  /** Seconds from the faults' end (first heal) until every `started` service ran (or was in error). */
  readonly settledAfterS: number | undefined;
}

export interface RunOptions {
  readonly bug?: PlantedBug | undefined;
  /** Receives every event (the readable log of a replay). */
  readonly onEvent?: (event: TraceEvent) => void;
}

export function runPlan(plan: ChaosPlan, options: RunOptions = {}): PlanOutcome {
  return runScenarioChecked(scenarioOfPlan(plan), { ...options, seed: plan.seed });
}

/** Runs a scenario with every invariant checked after every step; stops at the first violation. */
export function runScenarioChecked(scenario: Scenario, options: RunOptions & { seed: number }): PlanOutcome {
  const seed = options.seed;
  let checker: InvariantChecker | undefined;
  const onEvent = options.onEvent;
  const simulator = new Simulator(scenario, {
    seed,
    onEvent: (event) => {
      onEvent?.(event);
      checker?.onEvent(event);
    },
    onRound: () => checker?.onRound(),
    chaos: {
      onStep: (kind, node) => checker?.onStep(kind, node),
      onWatchdogReset: (node, client) => checker?.onWatchdogReset(node, client),
      ...(options.bug ? plantedBugHooks(options.bug) : {}),
    },
  });
  const nodeCount = simulator.cluster.nodeNames.length;
  checker = new InvariantChecker(simulator.cluster, livenessBoundMs(simulator.timing, nodeCount), timingLimits(simulator.timing, nodeCount));
  try {
    const result = simulator.run();
    return { violation: undefined, endS: Math.floor(result.endMs / 1000), isLivenessChecked: checker.hasCheckedLiveness, settledAfterS: checker.settledAfterS };
  } catch (error) {
    const endS = Math.floor(simulator.cluster.timeMs / 1000);
    const settledAfterS = checker.settledAfterS;
    if (error instanceof InvariantViolation) return { violation: error.violation, endS, isLivenessChecked: checker.hasCheckedLiveness, settledAfterS };
    if (error instanceof AssertionError) return { violation: { invariant: 'assertion', message: error.message, t: endS }, endS, isLivenessChecked: false, settledAfterS };
    throw error;
  }
}
