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
    const registrations = cluster.node(nodeName).watchdog;
    this.watchdog = {
      open: () => registrations.set(client, cluster.timeMs),
      feed: () => registrations.set(client, cluster.timeMs),
      close: () => registrations.delete(client),
    };
  }

  nowMs(): number {
    return this.cluster.timeMs;
  }

  membership(): Membership {
    return this.cluster.membership();
  }

  readConfig(): HaConfig {
    return this.cluster.config;
  }

  readManagerStatus(): ManagerStatus | undefined {
    return this.cluster.managerStatus;
  }

  protected isMember(): boolean {
    const membership = this.cluster.membership();
    return membership.isQuorate && membership.isMember(this.nodeName);
  }

  protected acquire(lease: string): boolean {
    if (!this.isMember()) return false;
    const outcome = this.cluster.leases.acquire(lease, this.nodeName, this.cluster.timeMs);
    if (outcome === 'taken') this.emit({ ev: 'lock', lock: lease });
    return outcome !== 'refused';
  }

  protected release(lease: string): boolean {
    if (!this.isMember()) return false;
    return this.cluster.leases.release(lease, this.nodeName, this.cluster.timeMs);
  }

  protected canWrite(): boolean {
    return this.isMember() && !this.cluster.node(this.nodeName).isWriteFailing;
  }
}

export class SimCrmEnv extends SimNodeEnv implements CrmEnv {
  constructor(
    cluster: SimCluster,
    nodeName: string,
    timing: Timing,
    private readonly uids: Prng,
  ) {
    super(cluster, nodeName, timing, 'crm');
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
    if (this.canWrite()) this.cluster.managerStatus = status;
  }

  readLrmStatus(node: string): LrmStatus | undefined {
    return this.cluster.lrmStatus.get(node);
  }

  hasCrmCommands(): boolean {
    return this.cluster.crmCommands.length > 0;
  }

  takeCrmCommands(): string[] {
    const commands = this.cluster.crmCommands;
    this.cluster.crmCommands = [];
    return commands;
  }

  updateResourceConfig(sid: string, patch: { node?: string; state?: RequestedState }): void {
    const resource = this.cluster.resources[sid];
    if (resource) this.cluster.resources[sid] = { ...resource, ...patch };
  }

  newUid(): string {
    return this.uids.hexId();
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

  releaseAgentLease(): boolean {
    return this.release(agentLeaseName(this.nodeName));
  }

  writeLrmStatus(status: LrmStatus): boolean {
    if (!this.canWrite()) return false;
    this.cluster.lrmStatus.set(this.nodeName, status);
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
