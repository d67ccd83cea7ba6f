import type { LrmStatus } from '../common/lrm-status.ts';
import { LrmResult } from '../common/lrm-result.ts';
import { updateResourceConfig } from '../config/config-edit.ts';
import type { DriverRegistry } from '../resources/driver-registry.ts';
import { executeRequest, type RequestOutcome } from '../resources/execute-request.ts';
import { serviceActionEvent } from '../resources/service-action-event.ts';
import { agentLease } from '../store/lease-store.ts';
import type { LrmEnv, LrmJob, LrmJobResult } from './env.ts';
import { NodeEnvBase, type NodeEnvParts } from './node-env-base.ts';

/** Service actions running at once; the core's worker limit (max_workers ≤ 64) stays below it. */
const RUNNING_JOBS_MAX = 128;

/**
 * The LRM environment of a real node: its agent lease and LRM status in the shared directory, and
 * service actions run asynchronously through the node's drivers (`executeRequest`). `startJob` starts
 * the driver calls and returns at once; `takeFinishedJobs` hands the results to a later round. After a
 * successful move the configured node of the service in resources.cfg is changed under the config
 * lock (the simulator's SimCluster.moveService), before the result is reported.
 */
export class NodeLrmEnv extends NodeEnvBase implements LrmEnv {
  private finished: LrmJobResult[] = [];
  private readonly running = new Set<string>();
  private bug: unknown;

  constructor(
    parts: NodeEnvParts,
    private readonly drivers: DriverRegistry,
    /** Called when a job finished, so the loop can run the next round early. */
    private readonly onJobFinished: () => void,
  ) {
    super(parts);
  }

  tryAgentLease(): boolean {
    return this.acquireLease(agentLease(this.nodeName), true);
  }

  /** Straight to the store (it answers 'unavailable' itself when the shared directory is out of reach): called before the first round too. */
  adoptAgentLease(renewedAgoMsMax: number): boolean {
    const name = agentLease(this.nodeName);
    const outcome = this.leases.adopt(name, this.nowMs(), renewedAgoMsMax);
    this.record('adopt', `${name} ${outcome}, renewed at most ${renewedAgoMsMax} ms ago`);
    return outcome === 'adopted';
  }

  releaseAgentLease(): boolean {
    return this.releaseLease(agentLease(this.nodeName));
  }

  writeLrmStatus(status: LrmStatus): boolean {
    // The file carries the writer's wall clock (docs/shared-dir.md), for `ha-manager status`.
    const written = this.statusStore.writeLrmStatus(this.nodeName, { ...status, timestampMs: Date.now() });
    if (written.kind === 'written') return true;
    this.debug(written.message);
    return false;
  }

  /** Jobs started and not yet finished. */
  get runningJobs(): number {
    return this.running.size;
  }

  startJob(job: LrmJob): void {
    if (this.running.has(job.sid)) throw new Error(`Job for ${job.sid} started while one runs: the core runs one per service`);
    if (this.running.size >= RUNNING_JOBS_MAX) throw new Error(`${this.running.size} jobs running (limit ${RUNNING_JOBS_MAX})`);
    this.running.add(job.sid);
    this.parts.config.reload(); // the node a service is configured on may have changed since the last round
    const configuredNode = this.readConfig().resources[job.sid]?.node;
    this.journalAction(job, 'started', configuredNode === undefined ? 'not configured' : `configured on ${configuredNode}`);
    executeRequest(this.drivers.driverFor(job.sid), job, configuredNode, this.nodeName)
      .then((outcome) => this.finish(job, outcome))
      .catch((error: unknown) => {
        this.bug = error;
        this.running.delete(job.sid);
        this.onJobFinished();
      });
  }

  takeFinishedJobs(): LrmJobResult[] {
    if (this.bug !== undefined) throw this.bug; // a driver broke its contract: the daemon exits
    const finished = this.finished;
    this.finished = [];
    return finished;
  }

  private finish(job: LrmJob, outcome: RequestOutcome): void {
    let result = outcome.result;
    if (outcome.movedTo !== undefined && result === LrmResult.success && !this.moveConfiguredNode(job.sid, outcome.movedTo)) result = LrmResult.error;
    const event = serviceActionEvent(job, outcome);
    if (event) this.emit(event);
    this.journalAction(job, 'finished', `result ${result}${outcome.reason !== undefined ? `: ${outcome.reason}` : ''}`);
    this.running.delete(job.sid);
    this.finished.push({ sid: job.sid, uid: job.uid, request: job.request, result });
    this.onJobFinished();
  }

  private moveConfiguredNode(sid: string, node: string): boolean {
    try {
      const isConfigured = updateResourceConfig(this.parts.sharedDir, sid, { node });
      this.parts.config.markDirty();
      return isConfigured;
    } catch (error) {
      this.emit({ ev: 'log', level: 'err', msg: `${sid} moved to ${node} but ${this.paths.resources} was not updated: ${(error as Error).message}` });
      return false;
    }
  }

  private journalAction(job: LrmJob, phase: 'started' | 'finished', detail: string): void {
    const target = job.target !== undefined ? ` to ${job.target}` : '';
    this.parts.journal.recordAction({ wallMs: Date.now(), sid: job.sid, uid: job.uid, request: `${job.request}${target}`, phase, detail });
  }
}
