import type { FenceJobResult, LrmStatus, NodeLoadStats } from '../common/lrm-status.ts';
import { NodeLoadMeter } from './node-load-meter.ts';
import type { DriverRegistry } from '../resources/driver-registry.ts';
import { DriverJobRunner } from '../resources/driver-job-runner.ts';
import type { RequestOutcome } from '../resources/execute-request.ts';
import { serviceActionEvent } from '../resources/service-action-event.ts';
import { agentLease } from '../store/lease-store.ts';
import type { ManagerStatusVersion } from '../common/manager-status.ts';
import { KEPT_STATUS_VERSION_AGE_MAX_MS, type FenceJob, type LrmEnv, type LrmJob, type LrmJobResult } from './env.ts';
import { KEPT_STATUS_VERSION_FILE, readKeptStatusVersion, writeKeptStatusVersion } from './kept-status-version.ts';
import { dirname, join } from 'node:path';
import { NodeEnvBase, type NodeEnvParts } from './node-env-base.ts';
import { FenceJobs } from '../fence/fence-jobs.ts';
import { FenceRunner } from '../fence/fence-runner.ts';

/**
 * The LRM environment of a real node: its agent lease and LRM status in the shared directory, and
 * service actions run asynchronously through the node's drivers by the request core
 * (`DriverJobRunner` → `executeRequest`, the same core the simulator runs). `startJob` starts the
 * driver calls and returns at once; `takeFinishedJobs` hands the results to a later round. The LRM
 * never writes resources.cfg: after a move it reports success, and the master records the new node.
 */
export class NodeLrmEnv extends NodeEnvBase implements LrmEnv {
  private readonly jobs: DriverJobRunner;
  private readonly meter: NodeLoadMeter;
  private readonly fences: FenceJobs;
  /** Whether the last keepStatusVersion failed (said once until a write works again). */
  private isKeepFailing = false;

  constructor(
    parts: NodeEnvParts,
    drivers: DriverRegistry,
    /** Called when a job finished, so the loop can run the next round early. */
    onJobFinished: () => void,
  ) {
    super(parts);
    this.meter = new NodeLoadMeter(drivers);
    this.jobs = new DriverJobRunner({
      node: this.nodeName,
      registry: drivers,
      configuredNodeOf: (sid) => this.readConfig().resources[sid]?.node,
      onOutcome: (job, outcome) => this.recordOutcome(job, outcome),
      onSettled: onJobFinished,
    });
    this.fences = new FenceJobs({
      fenceConfig: () => {
        this.parts.config.reload(); // only for a job that starts: a device added or fixed since the last round is the one to use
        return this.readConfig().fence;
      },
      runner: new FenceRunner(),
      log: (level, msg) => this.emit({ ev: 'log', level, msg }),
      onFinished: onJobFinished,
    });
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
    this.sayIfNotWritable(written.message);
    return false;
  }

  /** Jobs started and not yet finished. */
  get runningJobs(): number {
    return this.jobs.runningCount();
  }

  startJob(job: LrmJob): void {
    this.parts.config.reload(); // the master may have recorded another node for the service since the last round
    const configuredNode = this.readConfig().resources[job.sid]?.node;
    this.journalAction(job, 'started', configuredNode === undefined ? 'not configured' : `configured on ${configuredNode}`);
    this.jobs.start(job);
  }

  measureLoad(services: ReadonlyArray<readonly [string, unknown]>): NodeLoadStats | undefined {
    return this.meter.measure(services.map(([sid]) => sid));
  }

  takeFinishedJobs(): LrmJobResult[] {
    return this.jobs.takeFinished();
  }

  /** Runs a fence level (or soft fence) of this node's fence.cfg for the master, in the background: src/fence/fence-jobs.ts. */
  startFence(job: FenceJob): void {
    this.fences.start(job);
  }

  takeFinishedFences(): FenceJobResult[] {
    return this.fences.take();
  }

  /** Beside the journal, in the state directory on the node's own disk. */
  private get keptVersionFile(): string {
    return join(dirname(this.parts.journal.file), KEPT_STATUS_VERSION_FILE);
  }

  /**
   * A failed write (a full or read-only local disk) is said once and the LRM goes on: it then acts as
   * it did before versions were kept, rather than stop managing the node's services.
   */
  keepStatusVersion(version: ManagerStatusVersion): void {
    try {
      writeKeptStatusVersion(this.keptVersionFile, version, Date.now());
      this.isKeepFailing = false;
    } catch (error) {
      if (this.isKeepFailing) return;
      this.isKeepFailing = true;
      this.emit({ ev: 'log', level: 'warn', msg: `cannot keep the manager status version in ${this.keptVersionFile}: ${(error as Error).message}; a restarted LRM could then act on a stale status` });
    }
  }

  keptStatusVersion(): ManagerStatusVersion | undefined {
    const kept = readKeptStatusVersion(this.keptVersionFile);
    if (kept.kind === 'bad') this.emit({ ev: 'log', level: 'warn', msg: kept.problem });
    return kept.kind === 'kept' && Date.now() - kept.wallMs <= KEPT_STATUS_VERSION_AGE_MAX_MS ? kept.version : undefined;
  }

  private recordOutcome(job: LrmJob, outcome: RequestOutcome): void {
    const event = serviceActionEvent(job, outcome);
    if (event) this.emit(event);
    this.journalAction(job, 'finished', `result ${outcome.result}${outcome.reason !== undefined ? `: ${outcome.reason}` : ''}`);
  }

  private journalAction(job: LrmJob, phase: 'started' | 'finished', detail: string): void {
    const target = job.target !== undefined ? ` to ${job.target}` : '';
    this.parts.journal.recordAction({ wallMs: Date.now(), sid: job.sid, uid: job.uid, request: `${job.request}${target}`, phase, detail });
  }
}
