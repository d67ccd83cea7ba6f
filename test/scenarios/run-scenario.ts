/**
 * Runs one scenario directory in-process with a fixed seed, collecting the trace and checking the
 * invariants of the simulated world after every event and every round:
 * - no service runs on two nodes at once;
 * - at most one CRM is master;
 * - a recovery only happens on a proof for the lost node: while the recovering master holds its agent
 *   lease, or after an `agent`, `kdump` or `operator` fence-ack for it (the chaos checker,
 *   src/chaos/fence-proof-ledger.ts, holds those to the simulated world's truth);
 * - the service counts a master carries from round to round equal a fresh count.
 */
import type { TraceEvent } from '../../src/common/trace.ts';
import { loadScenario } from '../../src/sim/scenario.ts';
import type { SimCluster } from '../../src/sim/sim-cluster.ts';
import { agentLeaseName } from '../../src/sim/sim-store.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import type { InitialView } from './expectations.ts';

export const SCENARIO_SEED = 42;

/** Invariant violations are collected, not thrown: one run reports all of them, at most this many. */
const VIOLATIONS_MAX = 20;

export interface ScenarioRun {
  readonly events: TraceEvent[];
  readonly violations: string[];
  readonly result: 'done' | 'time-limit';
  readonly initial: InitialView;
}

export function runScenario(dir: string, seed = SCENARIO_SEED): ScenarioRun {
  const scenario = loadScenario(dir);
  const initial: InitialView = {
    services: Object.fromEntries([...scenario.managerStatus.serviceStatus].map(([sid, s]) => [sid, { state: s.state, node: s.node }])),
    nodes: { ...scenario.managerStatus.nodeStatus },
  };
  const events: TraceEvent[] = [];
  const violations: string[] = [];
  const violate = (message: string) => {
    if (violations.length < VIOLATIONS_MAX && !violations.includes(message)) violations.push(message);
  };
  let cluster: SimCluster | undefined;
  // A proof other than the lease's (fence devices, kdump, an operator) since the node's last fence.
  const otherProofs = new Map<string, string>();
  const onEvent = (event: TraceEvent) => {
    events.push(event);
    if (!cluster) return;
    checkWorld(cluster, `after ${JSON.stringify(event)}`, violate);
    if (event.ev === 'fence') otherProofs.delete(event.target);
    if (event.ev === 'fence-ack' && event.proof !== undefined && event.proof !== 'reset' && event.proof !== 'free') otherProofs.set(event.target, event.proof);
    if (event.ev === 'recover' && !otherProofs.has(event.from)) {
      const holder = cluster.leases.holderOf(agentLeaseName(event.from), cluster.timeMs);
      if (holder !== event.node) violate(`t=${event.t}: ${event.node} recovers ${event.sid} from ${event.from} while the agent lease of ${event.from} is held by ${holder ?? 'nobody'}`);
    }
  };
  const onRound = (world: SimCluster, roundStartMs: number) => {
    checkWorld(world, `after the round starting at ${roundStartMs / 1000}`, violate);
    for (const node of world.nodeNames) {
      const manager = world.node(node).crm?.manager;
      if (manager && !manager.usageMatchesRecount()) violate(`after the round starting at ${roundStartMs / 1000}: ${node} carries service counts that differ from a fresh count`);
    }
  };
  const simulator = new Simulator(scenario, { seed, onEvent, onRound });
  cluster = simulator.cluster;
  const { result } = simulator.run();
  return { events, violations, result, initial };
}

function checkWorld(cluster: SimCluster, when: string, violate: (message: string) => void): void {
  const where = new Map<string, string[]>();
  for (const node of cluster.nodeNames) {
    for (const sid of cluster.running.get(node) ?? []) where.set(sid, [...(where.get(sid) ?? []), node]);
  }
  for (const [sid, nodes] of where) {
    if (nodes.length > 1) violate(`t=${cluster.timeMs / 1000}: ${sid} runs on ${nodes.join(' and ')} (${when})`);
  }
  const masters = cluster.nodeNames.filter((node) => cluster.node(node).crm?.state === 'master');
  if (masters.length > 1) violate(`t=${cluster.timeMs / 1000}: several masters: ${masters.join(', ')} (${when})`);
}
