import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng } from '../../common/prng.ts';
import { FAST_TIMING } from '../cluster-config.ts';
import { pollUntil } from '../cluster-process.ts';
import { waitForPlacement } from '../failover.ts';
import { LocalCluster } from '../local-cluster.ts';
import type { LocalStoreKind } from '../local-store.ts';
import { findOverlaps } from '../../resources/find-overlaps.ts';
import { FaultRunner } from './fault-runner.ts';
import { processesUnder, processLabel, signalProcess } from '../host-processes.ts';
import { NodeSupervisor } from './node-supervisor.ts';
import { ServiceObserver } from './service-observer.ts';
import { describeOverlap, settleBoundMs, settleProblems } from './swarm-checks.ts';
import { disturbedNodesMax, planSwarm, resetRevealMs, type SwarmFaultKind, type SwarmPlan } from './swarm-plan.ts';
import { describePlan, describeSchedule, logTails, type SwarmViolation } from './swarm-report.ts';

/** Bugs a test can plant in its own cluster, to show the swarm catches them. */
export const SWARM_PLANTS = ['silent-watchdog'] as const;
export type SwarmPlant = (typeof SWARM_PLANTS)[number];
/** The planted silent watchdog: an emulated device timeout far beyond any run. */
const SILENT_WATCHDOG_TIMEOUT_MS = 24 * 3_600_000;

export interface ClusterSwarmOptions {
  readonly seed: number;
  readonly faultPhaseMs: number;
  readonly nodes: number;
  readonly services: number;
  readonly kinds: readonly SwarmFaultKind[];
  readonly plant?: SwarmPlant | undefined;
  /** The cluster's store: a shared directory (default) or its own 3-member etcd. */
  readonly store?: LocalStoreKind;
  /** Stop injecting faults at the first violation (the run still cleans up and reports). */
  readonly isFailFast?: boolean;
  readonly print: (line: string) => void;
  /** Aborted by SIGINT/SIGTERM: faults stop, everything is stopped and removed. */
  readonly signal?: AbortSignal;
}

export interface ClusterSwarmReport {
  readonly faults: number;
  readonly violations: readonly SwarmViolation[];
  readonly root: string;
  readonly isRootKept: boolean;
  readonly isInterrupted: boolean;
  /** From the end of the faults to a settled cluster; undefined when it did not settle. */
  readonly settleMs: number | undefined;
}

/** Start of the cluster (a dozen processes loading on two cores) and of the first placement. */
const START_MS_MAX = 90_000;
/** The ledger is checked for overlaps this often during the run. */
const OVERLAP_CHECK_MS = 5_000;
/** The service processes are looked at this often: an observed end is at most this late. */
const OBSERVE_MS = 200;
/**
 * Settled means settled for this long: long enough that a watchdog reset the last faults still cause
 * (it comes within the client and device timeouts of a node's last keepalive) falls inside it, and a
 * service between its stop and its start elsewhere does not count as settled.
 */
const STABLE_MS = resetRevealMs(FAST_TIMING) + 2 * FAST_TIMING.roundMs;
const SETTLE_POLL_MS = 500;
/** While settling, what is still missing is printed this often. */
const SETTLE_REPORT_MS = 10_000;
/** Log tails are kept for the first violations only: the later ones are usually consequences. */
const TAIL_SNAPSHOTS_MAX = 2;
/** Processes left after the stop are killed; their parents reap them within this. */
const LEFTOVER_KILL_WAIT_MS = 5_000;
/** CLI requests and reboots still under way when the faults stop get this long. */
const PENDING_WAIT_MS = 60_000;

/**
 * `npm run chaos:cluster`: a local cluster of real processes under the seeded faults of ./swarm-plan.ts,
 * supervised as systemd would (./node-supervisor.ts); then the faults stop, the cluster must settle
 * within the bound of ./swarm-checks.ts, everything is stopped, and the ledger must show no service on
 * two nodes at once and no process may be left. Prints `seed S` first and `N faults, V violations` last.
 */
export async function runClusterSwarm(options: ClusterSwarmOptions): Promise<ClusterSwarmReport> {
  const plan = planSwarm(options.seed, { nodes: options.nodes, services: options.services, faultPhaseMs: options.faultPhaseMs, kinds: options.kinds, timing: FAST_TIMING });
  const root = mkdtempSync(join(tmpdir(), `ha-swarm-seed${options.seed}-`));
  const cluster = await LocalCluster.open({
    nodes: plan.nodes,
    timing: FAST_TIMING,
    resources: plan.resources,
    shutdownPolicy: plan.shutdownPolicy,
    root,
    store: options.store ?? 'dir',
    ...(options.plant === 'silent-watchdog' ? { emulatorTimeoutMs: SILENT_WATCHDOG_TIMEOUT_MS } : {}),
  });
  return new SwarmRun(options, plan, cluster).run();
}

class SwarmRun {
  private readonly startWallMs = Date.now();
  private readonly violations: SwarmViolation[] = [];
  private readonly tailSnapshots: string[][] = [];
  private readonly reportedOverlaps = new Set<string>();
  private readonly stopFaults = new AbortController();
  private readonly observer: ServiceObserver;
  private supervisor: NodeSupervisor | undefined;
  private runner: FaultRunner | undefined;
  private settleMs: number | undefined;

  constructor(
    private readonly options: ClusterSwarmOptions,
    private readonly plan: SwarmPlan,
    private readonly cluster: LocalCluster,
  ) {
    this.observer = new ServiceObserver(Object.fromEntries(this.plan.nodes.map((node) => [node, this.cluster.nodeDir(node)])));
    options.signal?.addEventListener('abort', () => this.stopFaults.abort(), { once: true });
  }

  async run(): Promise<ClusterSwarmReport> {
    const { print } = this.options;
    print(`seed ${this.options.seed}`);
    for (const line of describePlan(this.plan, this.cluster.root)) print(line);
    print(`store: ${this.cluster.local.description}`);
    if (this.options.plant !== undefined) print(`planted bug: ${this.options.plant} (every emulated watchdog device timeout is ${SILENT_WATCHDOG_TIMEOUT_MS / 3_600_000} h)`);
    print(`liveness bound after the faults stop: ${(settleBoundMs(FAST_TIMING) / 1000).toFixed(1)} s`);
    const monitor = setInterval(() => this.guard('the overlap check', () => this.checkOverlaps()), OVERLAP_CHECK_MS);
    const observing = setInterval(() => this.guard('the service observer', () => this.observer.poll()), OBSERVE_MS);
    try {
      await this.startCluster();
      await this.injectFaults();
      await this.settle();
    } catch (error) {
      this.addViolation({ kind: 'error', message: (error as Error).message });
    } finally {
      clearInterval(monitor);
    }
    return this.finish(observing);
  }

  private log(line: string): void {
    this.options.print(`[t+${((Date.now() - this.startWallMs) / 1000).toFixed(1)}s] ${line}`);
  }

  /** Work of a timer: a failure is a violation of kind error and ends the faults; the run still cleans up. */
  private guard(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.addViolation({ kind: 'error', message: `${what} failed: ${(error as Error).message}` });
      this.stopFaults.abort();
    }
  }

  private addViolation(violation: SwarmViolation): void {
    this.violations.push(violation);
    this.log(`VIOLATION (${violation.kind}) ${violation.message}`);
    if (this.tailSnapshots.length < TAIL_SNAPSHOTS_MAX) this.tailSnapshots.push([`  log tails when this was found: ${violation.message}`, ...logTails(this.cluster)]);
    if (this.options.isFailFast === true) this.stopFaults.abort();
  }

  /** The ledger, with the ends the observer saw for runs whose own line is missing. */
  private checkOverlaps(): void {
    for (const overlap of findOverlaps([...this.cluster.ledger(), ...this.observer.exits()], this.cluster.resets())) {
      const key = `${overlap.sid} ${overlap.nodeA} ${overlap.nodeB} ${overlap.fromMs}`;
      if (this.reportedOverlaps.has(key)) continue;
      this.reportedOverlaps.add(key);
      this.addViolation({ kind: 'overlap', message: describeOverlap(overlap, this.startWallMs) });
    }
  }

  private async startCluster(): Promise<void> {
    this.log('starting the cluster');
    await this.cluster.startAll({ firstMaster: this.plan.firstMaster });
    const placement = Object.fromEntries(this.plan.resources.map((resource) => [resource.sid, resource.node]));
    await waitForPlacement(this.cluster, placement, START_MS_MAX);
    this.log('every service runs on its node');
    this.supervisor = new NodeSupervisor(this.cluster, {
      timing: FAST_TIMING,
      rebootDelays: new Prng(this.options.seed).stream('reboot-delays'),
      log: (line) => this.log(line),
      onViolation: (message) => this.addViolation({ kind: 'watchdog', message }),
      signal: this.options.signal,
      onError: (error) => this.guard('the supervisor', () => {
        throw error;
      }),
    });
    this.supervisor.start();
  }

  private async injectFaults(): Promise<void> {
    const phaseStartMs = Date.now();
    const runner = new FaultRunner(this.cluster, this.supervisor!, {
      disturbedMax: disturbedNodesMax(this.plan.nodes.length),
      log: (line) => this.log(line),
      phaseStartMs,
      guard: (what, work) => this.guard(what, work),
    });
    this.runner = runner;
    for (const [index, fault] of this.plan.faults.entries()) {
      if (!(await sleepUntil(phaseStartMs + fault.atMs, this.stopFaults.signal))) break;
      runner.apply(index, fault);
    }
    await sleepUntil(phaseStartMs + this.options.faultPhaseMs, this.stopFaults.signal);
    this.log('faults stop: waiting for reboots, restarts and requests under way');
    const giveUp = new AbortController();
    this.options.signal?.addEventListener('abort', () => giveUp.abort(), { once: true });
    await Promise.race([runner.settle().finally(() => giveUp.abort()), sleepUntil(Date.now() + PENDING_WAIT_MS, giveUp.signal)]);
    giveUp.abort(); // ends whichever sleep is left, so no timer outlives the run
    runner.endAll();
  }

  /** Waits until the cluster is settled for STABLE_MS, started within the bound; a violation otherwise. */
  private async settle(): Promise<void> {
    if (this.stopFaults.signal.aborted) return;
    const boundMs = settleBoundMs(FAST_TIMING);
    const endWallMs = Date.now();
    this.log(`settling: every service requested started must run on one node within ${(boundMs / 1000).toFixed(1)} s`);
    let stableSinceMs: number | undefined;
    let problems: string[] = [];
    let reportedMs = endWallMs;
    while (Date.now() - endWallMs <= boundMs + STABLE_MS) {
      problems = settleProblems(this.cluster, this.supervisor!);
      const nowMs = Date.now();
      stableSinceMs = problems.length === 0 ? (stableSinceMs ?? nowMs) : undefined;
      if (stableSinceMs !== undefined && nowMs - stableSinceMs >= STABLE_MS) {
        this.settleMs = stableSinceMs - endWallMs;
        this.log(`settled ${(this.settleMs / 1000).toFixed(1)} s after the faults stopped (bound ${(boundMs / 1000).toFixed(1)} s)`);
        return;
      }
      if (nowMs - reportedMs >= SETTLE_REPORT_MS && problems.length > 0) {
        reportedMs = nowMs;
        this.log(`not settled yet: ${problems.join('; ')}`);
      }
      if (!(await sleepUntil(nowMs + SETTLE_POLL_MS, this.options.signal))) return;
    }
    const late = stableSinceMs === undefined ? problems : [`settled only ${((stableSinceMs - endWallMs) / 1000).toFixed(1)} s after the faults stopped`];
    this.addViolation({ kind: 'liveness', message: `not settled ${(boundMs / 1000).toFixed(1)} s after the faults stopped: ${late.join('; ')}` });
  }

  private async finish(observing: NodeJS.Timeout): Promise<ClusterSwarmReport> {
    this.runner?.killCli();
    this.runner?.endAll();
    await this.supervisor?.stop();
    this.log('stopping every process of the cluster');
    await this.cluster.stop().catch((error: unknown) => this.addViolation({ kind: 'error', message: `stopping the cluster: ${(error as Error).message}` }));
    this.log('stopped');
    await this.runner?.settle();
    await this.checkLeftovers();
    clearInterval(observing);
    this.observer.poll();
    this.checkOverlaps();
    const isRootKept = this.violations.length > 0;
    if (isRootKept) this.printDetails();
    else this.cluster.remove();
    const faults = this.runner?.outcomes.filter((outcome) => outcome.isApplied).length ?? 0;
    this.options.print(`${faults} faults, ${this.violations.length} violations`);
    const isInterrupted = this.options.signal?.aborted === true;
    return { faults, violations: this.violations, root: this.cluster.root, isRootKept, isInterrupted, settleMs: this.settleMs };
  }

  /** Anything still running that names the cluster's folder is a violation, and is killed. */
  private async checkLeftovers(): Promise<void> {
    const left = processesUnder(this.cluster.root);
    if (left.length === 0) return;
    for (const found of left) signalProcess(found, 'SIGKILL');
    await pollUntil('leftover processes to die', LEFTOVER_KILL_WAIT_MS, () => processesUnder(this.cluster.root).length === 0).catch(() => undefined);
    this.addViolation({ kind: 'leftover', message: `processes left running after the stop: ${left.map(processLabel).join(', ')}` });
  }

  private printDetails(): void {
    const { print } = this.options;
    print('schedule (planned time, fault, what became of it):');
    for (const line of describeSchedule(this.plan, this.runner?.outcomes ?? [])) print(line);
    for (const snapshot of this.tailSnapshots) for (const line of snapshot) print(line);
    const observed = join(this.cluster.root, 'observed-exits.jsonl');
    this.guard(`writing ${observed}`, () => writeFileSync(observed, this.observer.exits().map((entry) => `${JSON.stringify(entry)}\n`).join('')));
    print(`cluster folder kept for inspection: ${this.cluster.root} (logs in local/<node>/${this.cluster.local.kind === 'etcd' ? ', etcd members\' logs in etcd/' : ''}, ledger in shared/ledger/, resets in nodes/<node>/resets.jsonl, ends of service processes the swarm saw in observed-exits.jsonl)`);
  }
}

/** Sleeps until `wallMs`; false when aborted first. */
function sleepUntil(wallMs: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, wallMs - Date.now()));
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
