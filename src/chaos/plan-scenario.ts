import { emptyManagerStatus } from '../common/manager-status.ts';
import type { Scenario } from '../sim/scenario.ts';
import { DEFAULT_DYNAMIC_LOAD, DEFAULT_STATIC_SIZE } from '../sim/scenario-stats.ts';
import { parseCommand, type SimCommand } from '../sim/sim-commands.ts';
import type { ChaosPlan } from './chaos-plan.ts';

/** A fresh scenario for one run of the plan (the simulator mutates the configuration it is given). */
export function scenarioOfPlan(plan: ChaosPlan): Scenario {
  const nodeSet = new Set(plan.nodes);
  const batches: SimCommand[][] = plan.batches.map((batch) =>
    batch.map((text) => {
      const command = parseCommand(text, nodeSet);
      if (typeof command === 'string') throw new Error(`Chaos plan of seed ${plan.seed}: ${command}`);
      return command;
    }),
  );
  return {
    name: `chaos-seed-${plan.seed}`,
    nodes: Object.fromEntries(plan.nodes.map((node) => [node, { isPoweredOn: false, isNetworkOn: false }])),
    managerStatus: emptyManagerStatus(),
    resources: { ...plan.resources },
    groups: { ...plan.groups },
    rules: [],
    settings: plan.settings,
    // As a scenario without stats files reads (README-5.2 §1.6, §1.10), so a written-out plan replays the same.
    serviceSizes: Object.fromEntries(Object.keys(plan.resources).map((sid) => [sid, DEFAULT_STATIC_SIZE])),
    dynamicLoads: { ...(plan.loads ?? Object.fromEntries(Object.keys(plan.resources).map((sid) => [sid, DEFAULT_DYNAMIC_LOAD]))) },
    running: Object.fromEntries(Object.entries(plan.running).map(([node, sids]) => [node, [...sids]])),
    batches,
    timing: plan.timing,
    ...(plan.fence ? { fence: plan.fence } : {}),
  };
}
