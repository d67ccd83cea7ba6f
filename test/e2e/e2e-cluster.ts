import { strict as assert } from 'node:assert';
import { FAST_TIMING, type ClusterResource } from '../../src/cluster/cluster-config.ts';
import { LocalCluster } from '../../src/cluster/local-cluster.ts';
import type { ShutdownPolicy } from '../../src/common/states.ts';

/** Every end-to-end scenario ends within this (mocha's own timeout is longer). */
export const SCENARIO_MS_MAX = 60_000;

/**
 * Runs `body` on a fresh local cluster with the fast timing profile, then stops every process it
 * started and checks, whatever happened: no process left running, no service process left, and no
 * overlap in the ledger (a service on two nodes at once). On failure the daemons' last log lines are
 * printed.
 */
export async function withCluster(
  spec: { nodes?: string[]; resources: ClusterResource[]; shutdownPolicy?: ShutdownPolicy; firstMaster?: string; start?: boolean },
  body: (cluster: LocalCluster) => Promise<void>,
): Promise<void> {
  const nodes = spec.nodes ?? ['node1', 'node2', 'node3'];
  const cluster = LocalCluster.create({ nodes, timing: FAST_TIMING, resources: spec.resources, ...(spec.shutdownPolicy ? { shutdownPolicy: spec.shutdownPolicy } : {}) });
  let failure: unknown;
  try {
    if (spec.start !== false) await startingOneAtATime(() => cluster.startAll(spec.firstMaster !== undefined ? { firstMaster: spec.firstMaster } : {}));
    await body(cluster);
  } catch (error) {
    failure = error;
    for (const node of nodes) {
      for (const daemon of ['crm', 'lrm', 'mux'] as const) console.log(`    [${node} ${daemon}] ${cluster.logTail(node, daemon, 8)}`);
    }
  } finally {
    await cluster.stop();
  }
  const left = cluster.allProcesses().filter((process) => process.isRunning).map((process) => process.name);
  const sids = spec.resources.map((resource) => resource.sid);
  const services = sids.flatMap((sid) => cluster.runningOn(sid).map((node) => `${sid}@${node}`));
  const registered = cluster.registeredAlive().map((entry) => `${entry.name}@${entry.node}`);
  const overlaps = cluster.overlaps();
  cluster.remove();
  if (failure) throw failure;
  assert.deepEqual(left, [], 'processes left running');
  assert.deepEqual(services, [], 'service processes left running');
  assert.deepEqual(registered, [], 'registered node processes left running');
  assert.deepEqual(overlaps, [], 'a service ran on two nodes at once');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Cluster starts are the CPU-heavy part (a dozen processes loading at once on two cores): they run one
 * at a time, so that clusters of concurrent scenarios spend their waits (fence, recovery) together
 * without starving each other's daemons past the watchdog client timeout.
 */
let startQueue: Promise<unknown> = Promise.resolve();
function startingOneAtATime(start: () => Promise<void>): Promise<void> {
  const started = startQueue.then(start);
  startQueue = started.catch(() => {});
  return started;
}

/**
 * Declares one mocha test per scenario and runs the scenarios concurrently (starts one at a time):
 * the group takes about as long as its longest scenario, not the sum. Each test reports its own
 * scenario's outcome.
 */
export function concurrentScenarios(scenarios: Readonly<Record<string, () => Promise<void>>>): void {
  const outcomes = new Map<string, Promise<unknown>>();
  before(() => {
    for (const [name, run] of Object.entries(scenarios)) {
      outcomes.set(name, run().then(() => undefined, (error: unknown) => error ?? new Error(`${name} failed`)));
    }
  });
  for (const name of Object.keys(scenarios)) {
    it(name, async () => {
      const error = await outcomes.get(name);
      if (error !== undefined) throw error;
    });
  }
}
