import type { TraceEvent } from '../common/trace.ts';
import { LRM_IDLE_ROUNDS_MAX } from '../lrm/lrm-daemon.ts';
import type { SimCluster } from '../sim/sim-cluster.ts';
import { MANAGER_LEASE } from '../sim/sim-store.ts';
import { ConfigLedger } from './config-ledger.ts';
import { isWithoutWatchdog } from '../fence/fence-config.ts';
import { FenceProofLedger, isLeaseProof } from './fence-proof-ledger.ts';

export const INVARIANTS = [
  'single-run', // no service runs on two nodes at once
  'fence-before-recovery', // no recovery without a proof for the lost node since it last ran the service: a master held its agent lease, or the agent, kdump or operator proof
  'fence-proof-true', // an agent proof only for a node powered off since its fence started, a kdump proof only for one that crashed writing a dump
  'no-watchdog-lease', // a node with `watchdog none` is never taken by lease: no lease proof is acknowledged for it
  'recover-not-running', // no recovery of a service that still runs on its lost node (never on a guess)
  'single-master', // at most one node acts as master
  'idle-node-not-reset', // a node with no HA services is never reset by its watchdog
  'liveness', // once faults stop, every `started` service runs (or is in error) within the bound
  'config-intact', // the configuration is never lost or half-written
  'disarmed-no-fence', // while the stack is disarmed (reported disarmed, no arm-ha accepted since), nothing is fenced or recovered
  'assertion', // the logic asserted: a bug by definition
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: Invariant;
  readonly message: string;
  /** Simulated seconds. */
  readonly t: number;
}

/** Thrown to end a run at its first violation. */
export class InvariantViolation extends Error {
  constructor(readonly violation: Violation) {
    super(`${violation.invariant} at t=${violation.t}: ${violation.message}`);
  }
}

/**
 * With Proxmox's timings: LRM iterations an armed LRM may still make after its last service, the idle
 * limit and a reset's slack (a client timeout of 60 s and a device timeout of 10 s are 4 rounds, + 2).
 * Runs with other timings pass theirs (src/chaos/liveness-bound.ts armedIdleIterationsMax).
 */
const LRM_ARMED_IDLE_ITERATIONS_MAX = LRM_IDLE_ROUNDS_MAX + 6;

/** What depends on the run's timings besides the liveness bound. */
export interface TimingLimits {
  /** LRM iterations an armed LRM without services may make before its watchdog may no longer reset it. */
  readonly armedIdleIterationsMax: number;
  /** What one daemon iteration costs in simulated time. */
  readonly iterationMs: number;
}

const REFERENCE_LIMITS: TimingLimits = { armedIdleIterationsMax: LRM_ARMED_IDLE_ITERATIONS_MAX, iterationMs: 1000 };

/**
 * Checks the invariants on the simulated world's truth — what runs where, who holds which lease in
 * the store, what the configuration says — after every step of a run. The first violation throws.
 */
export class InvariantChecker {
  private readonly fenceEnteredMs = new Map<string, number>();
  private readonly fenceProofMs = new Map<string, number>();
  /** Services a scenario starts in `recovery`: their fence happened before the run. */
  private readonly fencedBeforeStart = new Set<string>();
  private readonly lrmIterationsWithoutService = new Map<string, number>();
  /** Per node, the first CRM iteration (own clock) that left its armed watchdog registration unfed. */
  private readonly crmUnfedSinceOwnMs = new Map<string, number>();
  private readonly ledger: ConfigLedger;
  private readonly proofs: FenceProofLedger;
  private readonly nodeSet: ReadonlySet<string>;
  private readonly runningOn = new Map<string, string>();
  private lastCommandMs = 0;
  /** The stack was reported `disarmed` and no `arm-ha` was accepted since (the operator's view, whatever a master remembers). */
  private isDisarmed = false;
  private isHealed = false;
  private isLivenessChecked = false;
  private settledAfterMs: number | undefined;
  /** The first of the `heal`s that ended the run's faults. */
  private faultsStoppedMs = 0;

  constructor(
    private readonly cluster: SimCluster,
    private readonly livenessBoundMs: number,
    private readonly limits: TimingLimits = REFERENCE_LIMITS,
  ) {
    this.ledger = new ConfigLedger(cluster.resources);
    this.proofs = new FenceProofLedger(cluster);
    this.nodeSet = new Set(cluster.nodeNames);
    cluster.leases.onAcquire = (name, node) => this.onAcquire(name, node);
    for (const [sid, service] of cluster.managerStatus?.serviceStatus ?? []) if (service.state === 'recovery') this.fencedBeforeStart.add(sid);
  }

  private fail(invariant: Invariant, message: string): never {
    throw new InvariantViolation({ invariant, message, t: Math.floor(this.cluster.timeMs / 1000) });
  }

  /** A node other than the owner took or renewed an agent lease: the proof that the owner is fenced. */
  private onAcquire(name: string, node: string): void {
    if (!name.startsWith('ha_agent_')) return;
    const owner = name.slice('ha_agent_'.length, -'_lock'.length);
    if (owner === node) return;
    if (this.isDisarmed) this.fail('disarmed-no-fence', `${node} took ${owner}'s agent lease (a fence) while the HA stack is disarmed`);
    this.fenceProofMs.set(owner, this.cluster.timeMs);
  }

  /** The disarm as the masters report it, and what a disarmed cluster must never do. */
  private checkDisarmed(event: TraceEvent): void {
    if (event.ev === 'disarm-state') this.isDisarmed = event.to === 'disarmed' || (this.isDisarmed && event.to !== 'armed');
    if (!this.isDisarmed) return;
    const isFencing = event.ev === 'fence' || event.ev === 'fence-ack' || event.ev === 'recover';
    if (isFencing || (event.ev === 'service-state' && (event.to === 'fence' || event.to === 'recovery'))) {
      this.fail('disarmed-no-fence', `${event.node ?? '?'} ${event.ev === 'service-state' ? `put ${event.sid} in ${event.to}` : `emitted ${event.ev}`} while the HA stack is disarmed`);
    }
  }

  onEvent(event: TraceEvent): void {
    this.checkDisarmed(event);
    this.checkProofClaim(event);
    switch (event.ev) {
      case 'cmd':
        if (event.cmd.startsWith('delay')) return;
        this.lastCommandMs = this.cluster.timeMs;
        if (event.cmd === 'heal' && !this.isHealed) this.faultsStoppedMs = this.cluster.timeMs;
        this.isHealed = event.cmd === 'heal';
        this.isLivenessChecked = false;
        this.settledAfterMs = undefined;
        this.ledger.onCommand(event.cmd);
        return;
      case 'crm-command':
        if (event.result === 'accepted') this.ledger.onCrmCommand(event.cmd);
        return;
      case 'service-state':
        if (event.to === 'fence') this.fenceEnteredMs.set(event.sid, this.cluster.timeMs);
        if (event.from === 'fence' && event.to === 'recovery') this.checkRecovery(event.sid, event.on, event.node ?? '?');
        return;
      case 'recover':
        this.checkRecovery(event.sid, event.from, event.node ?? '?');
        if (event.from !== event.to && this.cluster.isRunning(event.from, event.sid)) {
          this.fail('recover-not-running', `${event.node ?? '?'} recovered ${event.sid} from ${event.from} to ${event.to}, but it still runs on ${event.from}`);
        }
        return;
      default:
        return;
    }
  }

  /** A master's fence-ack: an agent or kdump claim must be true, and a node without a watchdog is never proven fenced by its lease. */
  private checkProofClaim(event: TraceEvent): void {
    const falseClaim = this.proofs.onEvent(event);
    if (falseClaim !== undefined) this.fail('fence-proof-true', `${event.node ?? '?'} acknowledged a fence: ${falseClaim}`);
    if (event.ev === 'fence-ack' && isLeaseProof(event.proof) && isWithoutWatchdog(this.cluster.config.fence, event.target)) {
      this.fail('no-watchdog-lease', `${event.node ?? '?'} acknowledged the fence of ${event.target}, which has no watchdog, on its agent lease (${event.proof ?? 'no proof named'})`);
    }
  }

  /**
   * A recovery (or a service leaving `fence` for `recovery`) needs a proof for its node acknowledged
   * since the service last ran there; a lease proof also needs the lease really taken since the
   * service entered `fence` (the agent and kdump claims were checked when acknowledged).
   */
  private checkRecovery(sid: string, from: string, master: string): void {
    if (!this.fenceEnteredMs.has(sid) && this.fencedBeforeStart.has(sid)) return;
    const ack = this.proofs.lastAck(from);
    const seenMs = this.proofs.lastSeenMs(from, sid);
    if (ack === undefined || (seenMs !== undefined && ack.atMs < seenMs)) {
      const since = seenMs !== undefined ? ` since ${sid} last ran there at t=${Math.floor(seenMs / 1000)}` : '';
      this.fail('fence-before-recovery', `${master} recovered ${sid} from ${from} without a fence proof acknowledged for ${from}${since}`);
    }
    if (!isLeaseProof(ack.proof)) return;
    const enteredMs = this.fenceEnteredMs.get(sid) ?? 0;
    const proofMs = this.fenceProofMs.get(from);
    if (proofMs !== undefined && proofMs >= enteredMs) return;
    const since = this.fenceEnteredMs.has(sid) ? ` since it entered fence at t=${Math.floor(enteredMs / 1000)}` : '';
    this.fail('fence-before-recovery', `${master} recovered ${sid} from ${from}, but no master held ${from}'s agent lease${since}`);
  }

  onStep(kind: 'crm' | 'lrm' | 'command' | 'reset', node: string | null): void {
    this.checkSingleRun();
    if (kind === 'crm' && node !== null) {
      this.trackCrmFeeding(node);
      this.checkMaster(node);
      this.checkCarriedUsage(node);
    }
    if (kind === 'lrm' && node !== null) this.countIdleIteration(node);
    if (kind === 'command' || kind === 'crm') this.checkConfig();
  }

  /** The master carries service counts across rounds; they must equal a fresh count. */
  private checkCarriedUsage(node: string): void {
    const manager = this.cluster.node(node).crm?.manager;
    if (manager && !manager.usageMatchesRecount()) {
      this.fail('assertion', `${node}: the service counts the master carried differ from a fresh count`);
    }
  }

  private checkSingleRun(): void {
    const runningOn = this.runningOn;
    runningOn.clear();
    for (const node of this.cluster.nodeNames) {
      for (const sid of this.cluster.running.get(node)!) {
        const other = runningOn.get(sid);
        if (other !== undefined) this.fail('single-run', `${sid} runs on ${other} and ${node}`);
        runningOn.set(sid, node);
        this.proofs.seenRunning(node, sid);
      }
    }
  }

  /** A CRM that ends its iteration as master did a manager round: it must hold the manager lease. */
  private checkMaster(node: string): void {
    if (this.cluster.node(node).crm?.state !== 'master') return;
    const holder = this.cluster.leases.latest(MANAGER_LEASE)?.holder;
    if (holder !== node) this.fail('single-master', `${node} acted as master while the manager lease is ${holder === undefined ? 'free' : `held by ${holder}`}`);
  }

  /**
   * Counts the iterations an LRM makes with its watchdog client armed and no service: the LRM's idle
   * limit counts from when it (re)armed, e.g. on leaving maintenance, so a disarmed stretch starts over.
   */
  private countIdleIteration(node: string): void {
    const simNode = this.cluster.node(node);
    if (!simNode.watchdog.hasArmedRegistration('lrm')) {
      this.lrmIterationsWithoutService.set(node, 0);
      return;
    }
    const lrm = simNode.lrm;
    let hasService = this.cluster.running.get(node)!.size > 0;
    const views = [lrm?.services, this.cluster.managerStatus?.serviceStatus];
    for (const services of views) {
      for (const service of services?.values() ?? []) {
        if (service.node === node) hasService = true;
        if (hasService) break;
      }
    }
    this.lrmIterationsWithoutService.set(node, hasService ? 0 : (this.lrmIterationsWithoutService.get(node) ?? 0) + 1);
  }

  /** After a CRM iteration (which ran one iteration ago): did it leave an armed registration unfed? */
  private trackCrmFeeding(node: string): void {
    const simNode = this.cluster.node(node);
    const lastFedOwnMs = simNode.watchdog.lastKeepaliveMs('crm');
    const iterationOwnMs = simNode.clock.at(this.cluster.timeMs - this.limits.iterationMs);
    if (lastFedOwnMs === undefined || lastFedOwnMs >= iterationOwnMs) this.crmUnfedSinceOwnMs.delete(node);
    else if (!this.crmUnfedSinceOwnMs.has(node)) this.crmUnfedSinceOwnMs.set(node, iterationOwnMs);
  }

  /**
   * A master's watchdog may reset its node (that is its point) only when the CRM stopped iterating
   * (paused, crashed) before its registration's deadline: a CRM that iterates renews and feeds, or
   * closes its registration. (One that resumes after the deadline feeds too late: the reset stands.)
   */
  onWatchdogReset(node: string, client: string): void {
    if (client === 'crm') {
      const unfedSinceOwnMs = this.crmUnfedSinceOwnMs.get(node);
      const stoppedOwnMs = this.cluster.node(node).watchdog.feedingStoppedAtMs();
      if (unfedSinceOwnMs !== undefined && stoppedOwnMs !== undefined && unfedSinceOwnMs <= stoppedOwnMs) {
        this.fail('idle-node-not-reset', `${node} was reset by its CRM's watchdog registration, which the CRM kept open without feeding it (own clock ${unfedSinceOwnMs} ms, deadline ${stoppedOwnMs} ms)`);
      }
      return;
    }
    if (client === 'crm-orphan') return; // a crashed master: resetting its node is the point
    if (client === 'mux') return; // a crashed mux leaves the device armed: every node it ran on is reset
    const idle = this.lrmIterationsWithoutService.get(node) ?? 0;
    if (idle > this.limits.armedIdleIterationsMax) {
      this.fail('idle-node-not-reset', `${node} was reset by its LRM's watchdog registration (${client}) after ${idle} LRM iterations without any HA service`);
    }
  }

  private checkConfig(): void {
    const problems = this.ledger.check(this.cluster.resources, this.nodeSet);
    if (problems.length > 0) this.fail('config-intact', problems.join('; '));
  }

  /** After every round: from the bound on after the last command, a `heal`, services must run. */
  onRound(): void {
    if (!this.isHealed) return;
    if (this.settledAfterMs === undefined && this.unsettledService() === undefined) this.settledAfterMs = this.cluster.timeMs - this.faultsStoppedMs;
    if (this.cluster.timeMs < this.lastCommandMs + this.livenessBoundMs) return;
    this.isLivenessChecked = true;
    this.checkLiveness();
  }

  checkLiveness(): void {
    const sid = this.unsettledService();
    if (sid === undefined) return;
    const status = this.cluster.managerStatus?.serviceStatus.get(sid);
    const where = status ? `the manager has it ${status.state} on ${status.node}` : 'the manager does not manage it';
    this.fail('liveness', `${sid} is requested started but runs nowhere ${this.livenessBoundMs / 1000} s after the faults stopped (${where})`);
  }

  /** The first service requested `started` that neither runs on exactly one node nor is in `error`. */
  private unsettledService(): string | undefined {
    const services = this.cluster.managerStatus?.serviceStatus;
    for (const sid of Object.keys(this.cluster.resources).sort()) {
      if (this.cluster.resources[sid]!.state !== 'started') continue;
      if (services?.get(sid)?.state === 'error') continue;
      if (this.cluster.nodesRunning(sid).length !== 1) return sid;
    }
    return undefined;
  }

  /** How long after the faults stopped (first heal) every `started` service first ran (or was in error). */
  get settledAfterS(): number | undefined {
    return this.settledAfterMs === undefined ? undefined : Math.ceil(this.settledAfterMs / 1000);
  }

  /** Whether the run went on long enough after the last heal for the liveness check. */
  get hasCheckedLiveness(): boolean {
    return this.isLivenessChecked;
  }
}
