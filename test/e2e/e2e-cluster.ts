import { strict as assert } from 'node:assert';
import { FAST_TIMING, type ClusterResource } from '../../src/cluster/cluster-config.ts';
import { LocalCluster } from '../../src/cluster/local-cluster.ts';
import type { LocalStoreKind } from '../../src/cluster/local-store.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';
import type { ShutdownPolicy } from '../../src/common/states.ts';
import { timingViolations, type Timing } from '../../src/common/timing.ts';

/** Every end-to-end scenario ends within this (mocha's own timeout is longer). */
export const SCENARIO_MS_MAX = 60_000;

/**
 * The fast profile with a client timeout long enough for an LRM restart on a loaded test machine. A
 * restarted LRM must claim the registration its predecessor handed over, and renew, within the client
 * timeout of the predecessor's last keepalive: from the old LRM's exit to the new one's first renewal
 * took 2-4 s here at load averages of 15-30, once over 8 s; the fast profile's 5 s is not enough. The
 * lease outlasts the rule's minimum (20 + 2 + 1 + 1 s) by 1 s.
 */
export const LRM_RESTART_TIMING: Timing = { ...FAST_TIMING, watchdogClientTimeoutMs: 20_000, leaseTimeoutMs: 25_000 };
if (timingViolations(LRM_RESTART_TIMING).length > 0) throw new Error(`LRM_RESTART_TIMING: ${timingViolations(LRM_RESTART_TIMING).join('; ')}`);

/**
 * Runs `body` on a fresh local cluster with the fast timing profile (or `spec.timing`), then stops every process it
 * started and checks, whatever happened: no process left running, no service process left, and no
 * overlap in the ledger (a service on two nodes at once). On failure the daemons' last log lines are
 * printed.
 */
export async function withCluster(
  spec: { nodes?: string[]; resources: ClusterResource[]; shutdownPolicy?: ShutdownPolicy; firstMaster?: string; start?: boolean; timing?: Timing; nodesWithoutWatchdog?: string[]; store?: LocalStoreKind },
  body: (cluster: LocalCluster) => Promise<void>,
): Promise<void> {
  const nodes = spec.nodes ?? ['node1', 'node2', 'node3'];
  const cluster = await LocalCluster.open({
    ...(spec.store ? { store: spec.store } : {}),
    nodes,
    timing: spec.timing ?? FAST_TIMING,
    resources: spec.resources,
    ...(spec.shutdownPolicy ? { shutdownPolicy: spec.shutdownPolicy } : {}),
    ...(spec.nodesWithoutWatchdog ? { nodesWithoutWatchdog: spec.nodesWithoutWatchdog } : {}),
  });
  let failure: unknown;
  try {
    if (spec.start !== false) await startingOneAtATime(() => cluster.startAll(spec.firstMaster !== undefined ? { firstMaster: spec.firstMaster } : {}));
    await body(cluster);
  } catch (error) {
    failure = error;
    for (const node of nodes) {
      for (const daemon of ['crm', 'lrm', 'mux', 'emulator'] as const) console.log(`    [${node} ${daemon}] ${cluster.logTail(node, daemon, 8)}`);
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
export function startingOneAtATime(start: () => Promise<void>): Promise<void> {
  const started = startQueue.then(start);
  startQueue = started.catch(() => {});
  return started;
}

/**
 * Declares one mocha test per scenario and runs the scenarios concurrently (starts one at a time):
 * the group takes about as long as its longest scenario, not the sum. Each test reports its own
 * scenario's outcome.
 */
/**
 * concurrentScenarios in a suite of their own that needs etcd: skipped, saying so, where etcd is not
 * installed; a failure on CI (etcdAvailability throws there).
 */
export function etcdScenarios(title: string, scenarios: Readonly<Record<string, () => Promise<void>>>): void {
  describe(title, function () {
    this.timeout(3 * SCENARIO_MS_MAX);
    before(function () {
      skipWithoutEtcd(this, 'the end-to-end tests on etcd');
    });
    concurrentScenarios(scenarios);
  });
}

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
