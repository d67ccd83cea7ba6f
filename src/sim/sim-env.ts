import type { GroupMigrationRequest } from '../common/ha-config.ts';
import type { FenceJobResult, LrmStatus, NodeLoadStats } from '../common/lrm-status.ts';
import { measureSimNode, withFreshMeasurement } from './sim-loads.ts';
import type { ManagerStatus, ManagerStatusVersion } from '../common/manager-status.ts';
import type { Prng } from '../common/prng.ts';
import type { RequestedState } from '../common/states.ts';
import type { Timing } from '../common/timing.ts';
import type { EmitEvent, TraceBody } from '../common/trace.ts';
import { KEPT_STATUS_VERSION_AGE_MAX_MS, type AgentLeaseTake, type CrmEnv, type FenceJob, type HaConfig, type LrmEnv, type LrmJob, type LrmJobResult, type Membership } from '../env/env.ts';
import { jobResult } from '../resources/execute-request.ts';
import { agentLease, MANAGER_LEASE, takeAgentLease, type LeaseName } from '../store/lease-store.ts';
import type { SimCluster } from './sim-cluster.ts';
import type { SimFenceJobs } from './sim-fence-jobs.ts';
import { isWithoutWatchdog } from '../fence/fence-config.ts';
import { simLeaseName, type SimLeaseFace } from './sim-lease-face.ts';
import { SimNodeStore } from './sim-node-store.ts';
import { SimWatchdogPort } from './sim-watchdogs.ts';

/** The parts of the environment the CRM and LRM of one simulated node share. */
abstract class SimNodeEnv {
  readonly emit: EmitEvent;
  /** This daemon's registration with the node's simulated mux (one process at a time). */
  readonly watchdog: SimWatchdogPort;
  /** This node's faces on the simulated store: the ports a node's daemons get from a ClusterStore. */
  protected readonly store: SimNodeStore;
  /** This node's face on the simulated lease store: the LeaseStore port, as the node daemons have it. */
  protected readonly leases: SimLeaseFace;

  constructor(
    protected readonly cluster: SimCluster,
    readonly nodeName: string,
    readonly timing: Timing,
    daemon: 'crm' | 'lrm',
  ) {
    this.emit = (body: TraceBody) => cluster.emitAs(nodeName, body);
    const node = cluster.node(nodeName);
    const ownNowMs = () => node.clock.at(cluster.timeMs);
    this.watchdog = new SimWatchdogPort(node.watchdog, daemon, timing.watchdogClientTimeoutMs, ownNowMs, () => !isWithoutWatchdog(cluster.config.fence, nodeName));
    this.store = new SimNodeStore(cluster, nodeName, { renewalMaxMs: timing.renewalMaxMs });
    this.leases = this.store.leases;
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
    const read = this.store.status.readManagerStatus();
    return read.kind === 'ok' ? read.value : undefined;
  }

  /** False while the node is cut from the shared storage, the store is down, or too slow to answer in time. */
  canReachStore(): boolean {
    return this.store.reach.isReachable();
  }

  protected isMember(): boolean {
    const membership = this.cluster.membership();
    return membership.isQuorate && membership.isMember(this.nodeName);
  }

  protected acquire(lease: LeaseName): boolean {
    if (!this.isMember()) return false;
    const outcome = this.leases.acquire(lease, this.nowMs());
    if (outcome === 'taken') this.emit({ ev: 'lock', lock: simLeaseName(lease) });
    return outcome === 'taken' || outcome === 'renewed';
  }

  protected release(lease: LeaseName): boolean {
    if (!this.isMember()) return false;
    return this.leases.release(lease, this.nowMs()) === 'released';
  }

  protected canWrite(): boolean {
    return this.isMember() && !this.isWriteFailing() && this.canReachStore();
  }

  /** `cfs <node> rw fail`: the node's writes to the shared state fail (a node-side failure, not the store's). */
  protected isWriteFailing(): boolean {
    return this.cluster.node(this.nodeName).isWriteFailing;
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

  managerLeaseGeneration(): number {
    return this.leases.heldGeneration(MANAGER_LEASE) ?? 0;
  }

  releaseManagerLease(): boolean {
    return this.release(MANAGER_LEASE);
  }

  /** The same take as a real master's (src/env/node-env-base.ts takeAgentLeaseOf). */
  tryAgentLeaseOf(node: string): AgentLeaseTake {
    if (!this.isMember()) return 'refused';
    const { take, isTaken } = takeAgentLease(this.leases, node, () => this.nowMs());
    if (isTaken) this.emit({ ev: 'lock', lock: simLeaseName(agentLease(node)) });
    return take;
  }

  /** A failed write is not reported, as on a node (its daemon logs it): the master writes again next round. */
  writeManagerStatus(status: ManagerStatus): void {
    if (this.isMember() && !this.isWriteFailing()) this.store.status.writeManagerStatus(status);
  }

  readLrmStatus(node: string): LrmStatus | undefined {
    const read = this.store.status.readLrmStatus(node);
    if (read.kind === 'unavailable') return undefined;
    return withFreshMeasurement(this.cluster, node, read.kind === 'ok' ? read.value : undefined);
  }

  hasCrmCommands(): boolean {
    const queued = this.store.commands.read();
    return Array.isArray(queued) && queued.length > 0;
  }

  takeCrmCommands(): string[] {
    const taken = this.store.commands.take();
    return Array.isArray(taken) ? [...taken] : [];
  }

  updateResourceConfig(sid: string, patch: { node?: string; state?: RequestedState }): void {
    if (!this.canReachStore()) return;
    const resource = this.cluster.resources[sid];
    if (resource) this.cluster.setResource(sid, { ...resource, ...patch });
  }

  newUid(): string {
    return `${this.uidPrefix}.${(this.uidCounter++).toString(36)}`;
  }

  nodeVersion(node: string): string | undefined {
    return this.cluster.nodeVersion(node);
  }

  applyGroupMigration(request: GroupMigrationRequest): void {
    if (this.canWrite()) this.cluster.applyGroupMigration(request);
  }
}

export class SimLrmEnv extends SimNodeEnv implements LrmEnv {
  private finished: LrmJobResult[] = [];

  constructor(
    cluster: SimCluster,
    nodeName: string,
    timing: Timing,
    private readonly fenceJobs: SimFenceJobs,
  ) {
    super(cluster, nodeName, timing, 'lrm');
  }

  tryAgentLease(): boolean {
    return this.acquire(agentLease(this.nodeName));
  }

  adoptAgentLease(renewedAgoMsMax: number): boolean {
    if (!this.isMember()) return false;
    return this.leases.adopt(agentLease(this.nodeName), this.nowMs(), renewedAgoMsMax) === 'adopted';
  }

  /** Whether this LRM's watchdog registration is armed (for the planted bugs of chaos tests). */
  isWatchdogArmed(): boolean {
    return this.watchdog.isArmed();
  }

  releaseAgentLease(): boolean {
    return this.release(agentLease(this.nodeName));
  }

  keepStatusVersion(version: ManagerStatusVersion): void {
    this.cluster.node(this.nodeName).keptStatusVersion = { version, atMs: this.nowMs() };
  }

  keptStatusVersion(): ManagerStatusVersion | undefined {
    const kept = this.cluster.node(this.nodeName).keptStatusVersion;
    return kept !== undefined && this.nowMs() - kept.atMs <= KEPT_STATUS_VERSION_AGE_MAX_MS ? kept.version : undefined;
  }

  writeLrmStatus(status: LrmStatus): boolean {
    if (!this.isMember() || this.isWriteFailing()) return false;
    return this.store.status.writeLrmStatus(this.nodeName, status).kind === 'written';
  }

  /** Simulated actions are instant: the result is ready when the job starts. */
  startJob(job: LrmJob): void {
    const outcome = this.cluster.resourcesRunner.run(this.nodeName, job);
    this.finished.push(jobResult(job, outcome));
  }

  measureLoad(): NodeLoadStats {
    return measureSimNode(this.cluster, this.nodeName);
  }

  takeFinishedJobs(): LrmJobResult[] {
    const finished = this.finished;
    this.finished = [];
    return finished;
  }

  /** The job runs in virtual time against the simulated devices (sim-fence-jobs.ts). */
  startFence(job: FenceJob): void {
    this.fenceJobs.start(this.nodeName, job);
  }

  takeFinishedFences(): FenceJobResult[] {
    return this.fenceJobs.takeFinished(this.nodeName);
  }
}
