import type { LrmStatus } from '../common/lrm-status.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import type { Prng } from '../common/prng.ts';
import type { RequestedState } from '../common/states.ts';
import type { Timing } from '../common/timing.ts';
import type { EmitEvent, TraceBody } from '../common/trace.ts';
import type { CrmEnv, HaConfig, LrmEnv, LrmJob, LrmJobResult, Membership, WatchdogPort } from '../env/env.ts';
import type { SimCluster, WatchdogClient } from './sim-cluster.ts';
import { agentLeaseName, MANAGER_LEASE } from './sim-store.ts';

/** The parts of the environment the CRM and LRM of one simulated node share. */
abstract class SimNodeEnv {
  readonly emit: EmitEvent;
  readonly watchdog: WatchdogPort;

  constructor(
    protected readonly cluster: SimCluster,
    readonly nodeName: string,
    readonly timing: Timing,
    client: WatchdogClient,
  ) {
    this.emit = (body: TraceBody) => cluster.emitAs(nodeName, body);
    const node = cluster.node(nodeName);
    const registrations = node.watchdog;
    this.watchdog = {
      open: () => registrations.set(client, node.clock.at(cluster.timeMs)),
      feed: () => registrations.set(client, node.clock.at(cluster.timeMs)),
      close: () => registrations.delete(client),
      isArmed: () => registrations.has(client),
    };
  }

  /** The node's own clock: the simulated time unless a drift fault is set. */
  nowMs(): number {
    return this.cluster.node(this.nodeName).clock.at(this.cluster.timeMs);
  }

  membership(): Membership {
    return this.cluster.membership();
  }

  /** The config as last parsed: the live one here (the simulated config file is always readable). */
  readConfig(): HaConfig {
    return this.cluster.config;
  }

  readManagerStatus(): ManagerStatus | undefined {
    if (!this.canReachStore()) return undefined;
    return this.cluster.managerStatusAt(this.staleMs());
  }

  protected staleMs(): number {
    return this.cluster.faults.of(this.nodeName).staleMs;
  }

  /** False while the node is cut from the shared storage, the store is down, or too slow to answer in time. */
  canReachStore(): boolean {
    const faults = this.cluster.faults;
    if (faults.isStoreDown || faults.storeLatencyMs > this.timing.renewalMaxMs) return false;
    return !faults.of(this.nodeName).isStorageCut;
  }

  protected isMember(): boolean {
    const membership = this.cluster.membership();
    return membership.isQuorate && membership.isMember(this.nodeName);
  }

  protected acquire(lease: string): boolean {
    if (!this.isMember() || !this.canReachStore()) return false;
    const observer = {
      node: this.nodeName,
      nowMs: this.cluster.timeMs,
      staleMs: this.staleMs(),
      ownClockAt: (timeMs: number) => this.cluster.node(this.nodeName).clock.at(timeMs),
    };
    const outcome = this.cluster.leases.acquire(lease, observer);
    if (outcome === 'taken') this.emit({ ev: 'lock', lock: lease });
    return outcome !== 'refused';
  }

  protected release(lease: string): boolean {
    if (!this.isMember() || !this.canReachStore()) return false;
    return this.cluster.leases.release(lease, this.nodeName, this.cluster.timeMs);
  }

  protected canWrite(): boolean {
    return this.isMember() && !this.cluster.node(this.nodeName).isWriteFailing && this.canReachStore();
  }
}

export class SimCrmEnv extends SimNodeEnv implements CrmEnv {
  private readonly uidPrefix: string;
  private uidCounter = 0;

  /**
   * Request ids: four random hex digits (from the run's seed), the node's index and a counter, so
   * ids of different masters never collide. Short on purpose: up to 12 characters a string is one
   * flat piece, cheaper to make and to hash for the thousands of ids a steady round renews.
   */
  constructor(cluster: SimCluster, nodeName: string, timing: Timing, uids: Prng) {
    super(cluster, nodeName, timing, 'crm');
    this.uidPrefix = `${uids.hexId().slice(0, 4)}${cluster.nodeNames.indexOf(nodeName).toString(36)}`;
  }

  tryManagerLease(): boolean {
    return this.acquire(MANAGER_LEASE);
  }

  releaseManagerLease(): boolean {
    return this.release(MANAGER_LEASE);
  }

  tryAgentLeaseOf(node: string): boolean {
    return this.acquire(agentLeaseName(node));
  }

  writeManagerStatus(status: ManagerStatus): void {
    if (this.canWrite()) this.cluster.saveManagerStatus(status);
  }

  readLrmStatus(node: string): LrmStatus | undefined {
    if (!this.canReachStore()) return undefined;
    return this.cluster.lrmStatusAt(node, this.staleMs());
  }

  hasCrmCommands(): boolean {
    return this.canReachStore() && this.cluster.crmCommands.length > 0;
  }

  takeCrmCommands(): string[] {
    if (!this.canReachStore()) return [];
    const commands = this.cluster.crmCommands;
    this.cluster.crmCommands = [];
    return commands;
  }

  updateResourceConfig(sid: string, patch: { node?: string; state?: RequestedState }): void {
    if (!this.canReachStore()) return;
    const resource = this.cluster.resources[sid];
    if (resource) this.cluster.setResource(sid, { ...resource, ...patch });
  }

  newUid(): string {
    return `${this.uidPrefix}.${(this.uidCounter++).toString(36)}`;
  }
}

export class SimLrmEnv extends SimNodeEnv implements LrmEnv {
  private finished: LrmJobResult[] = [];

  constructor(cluster: SimCluster, nodeName: string, timing: Timing) {
    super(cluster, nodeName, timing, 'lrm');
  }

  tryAgentLease(): boolean {
    return this.acquire(agentLeaseName(this.nodeName));
  }

  /** Whether this LRM's watchdog client is armed (for the planted bugs of chaos tests). */
  isWatchdogArmed(): boolean {
    return this.cluster.node(this.nodeName).watchdog.has('lrm');
  }

  releaseAgentLease(): boolean {
    return this.release(agentLeaseName(this.nodeName));
  }

  writeLrmStatus(status: LrmStatus): boolean {
    if (!this.canWrite()) return false;
    this.cluster.saveLrmStatus(this.nodeName, status);
    return true;
  }

  /** Simulated actions are instant: the result is ready when the job starts. */
  startJob(job: LrmJob): void {
    const result = this.cluster.resourcesRunner.execute(this.nodeName, job);
    this.finished.push({ sid: job.sid, uid: job.uid, request: job.request, result });
  }

  takeFinishedJobs(): LrmJobResult[] {
    const finished = this.finished;
    this.finished = [];
    return finished;
  }
}
