import { ServiceTable } from '../../src/common/service-table.ts';
import { DEFAULT_CLUSTER_SETTINGS, type ResourceConfig } from '../../src/common/ha-config.ts';
import { LrmResult, type LrmResultCode } from '../../src/common/lrm-result.ts';
import type { FenceJobResult, LrmStatus } from '../../src/common/lrm-status.ts';
import { emptyManagerStatus, newServiceStatus, type ManagerStatus, type ManagerStatusVersion } from '../../src/common/manager-status.ts';
import { REFERENCE_TIMING } from '../../src/common/timing.ts';
import type { TraceBody } from '../../src/common/trace.ts';
import type { FenceJob, LrmEnv, LrmJob, LrmJobResult } from '../../src/env/env.ts';
import type { ServiceState, ShutdownPolicy } from '../../src/common/states.ts';

/** A hand-driven LRM environment: the test decides leases, quorum and job results. */
export class FakeLrmEnv implements LrmEnv {
  readonly nodeName = 'node1';
  readonly timing = REFERENCE_TIMING;
  timeMs = 0;
  isQuorate = true;
  hasLease = true;
  managerStatus: ManagerStatus = emptyManagerStatus();
  resources: Record<string, ResourceConfig> = {};
  answer: (job: LrmJob) => LrmResultCode = () => LrmResult.success;
  shutdownPolicy: ShutdownPolicy = DEFAULT_CLUSTER_SETTINGS.shutdownPolicy;
  /** When set, jobs run until `finishHeldJobs` (a real driver takes its time). */
  holdsJobs = false;
  private held: LrmJobResult[] = [];
  readonly jobs: LrmJob[] = [];
  readonly watchdogCalls: string[] = [];
  readonly events: TraceBody[] = [];
  published: LrmStatus | undefined;
  private finished: LrmJobResult[] = [];
  /** What the registration at start found: the predecessor's armed registration, claimed. */
  claimed: { keepaliveAgeMs: number } | undefined;
  /** Whether adopting the agent lease works (false: the store does not answer). */
  canAdopt = true;
  readonly watchdog = {
    resetsNode: true,
    open: () => void this.watchdogCalls.push('open'),
    feed: () => void this.watchdogCalls.push('feed'),
    close: () => void this.watchdogCalls.push('close'),
    handOver: () => void this.watchdogCalls.push('handOver'),
    claim: () => {
      this.watchdogCalls.push('claim');
      return this.claimed;
    },
  };
  readonly emit = (body: TraceBody) => this.events.push(body);
  nowMs = () => this.timeMs;
  membership = () => ({ isQuorate: this.isQuorate, nodes: ['node1', 'node2', 'node3'], isMember: () => this.isQuorate });
  readConfig = () => ({ resources: this.resources, groups: {}, rules: [], settings: { ...DEFAULT_CLUSTER_SETTINGS, shutdownPolicy: this.shutdownPolicy }, serviceSizes: {}, nodeCapacities: {} });
  readManagerStatus = () => this.managerStatus;
  tryAgentLease = () => this.hasLease;
  adoptAgentLease = (renewedAgoMsMax: number) => {
    this.watchdogCalls.push(`adopt ${renewedAgoMsMax}`);
    return this.canAdopt;
  };
  releaseAgentLease = () => {
    this.watchdogCalls.push('release');
    return true;
  };
  writeLrmStatus = (status: LrmStatus) => {
    this.published = status;
    return true;
  };
  startJob = (job: LrmJob) => {
    this.jobs.push(job);
    const result = { sid: job.sid, uid: job.uid, request: job.request, result: this.answer(job) };
    if (this.holdsJobs) this.held.push(result);
    else this.finished.push(result);
  };
  finishHeldJobs = () => this.finished.push(...this.held.splice(0));
  takeFinishedJobs = () => this.finished.splice(0);
  readonly fenceJobs: FenceJob[] = [];
  fenceFinished: FenceJobResult[] = [];
  startFence = (job: FenceJob) => void this.fenceJobs.push(job);
  takeFinishedFences = () => this.fenceFinished.splice(0);
  measureLoad = () => undefined;
  kept: ManagerStatusVersion | undefined;
  keepStatusVersion = (version: ManagerStatusVersion) => void (this.kept = version);
  keptStatusVersion = () => this.kept;
}

export function assign(env: FakeLrmEnv, sid: string, state: ServiceState, uid: string, maxRestart = 1): void {
  const service = newServiceStatus(state, 'node1', uid);
  env.managerStatus = { ...env.managerStatus, serviceStatus: ServiceTable.from([...env.managerStatus.serviceStatus, [sid, service]]) };
  env.resources[sid] = { node: 'node1', state: 'started', maxRestart, maxRelocate: 1 };
}
