import { assert } from '../common/assert.ts';
import type { LrmJob, LrmJobResult } from '../env/env.ts';
import type { DriverRegistry } from './driver-registry.ts';
import { executeRequest, type RequestOutcome } from './execute-request.ts';
import type { DriverTimeouts } from './resource-driver.ts';

export interface DriverJobRunnerOptions {
  /** This node. */
  readonly node: string;
  readonly registry: DriverRegistry;
  /** The node a service is configured on now (resources.cfg), undefined when it is not configured. */
  readonly configuredNodeOf: (sid: string) => string | undefined;
  /**
   * Called when a job has finished, before its result can be taken: the place to emit the
   * `service-action` event and to move the service's node in resources.cfg when `outcome.movedTo` is set.
   */
  readonly onOutcome?: (job: LrmJob, outcome: RequestOutcome) => void;
  readonly timeouts?: DriverTimeouts;
}

/**
 * Runs LRM jobs through the drivers in the background, for a node environment's `startJob` /
 * `takeFinishedJobs`: a job is started by one LRM round and its result collected by a later one. The
 * LRM bounds how many run at once; this runner refuses a second job for a sid whose job still runs.
 * A driver call that throws is a bug: the rejection is left unhandled, so the daemon exits.
 */
export class DriverJobRunner {
  private readonly running = new Map<string, Promise<void>>();
  private finished: LrmJobResult[] = [];

  constructor(private readonly options: DriverJobRunnerOptions) {}

  start(job: LrmJob): void {
    // The LRM runs one worker per sid; a second job would race the first on the same service.
    assert(!this.running.has(job.sid), `Bad argument job: ${job.sid} already has a job running`);
    const driver = this.options.registry.driverFor(job.sid);
    const configuredNode = this.options.configuredNodeOf(job.sid);
    const timeouts = this.options.timeouts !== undefined ? { timeouts: this.options.timeouts } : {};
    const work = executeRequest(driver, job, configuredNode, this.options.node, timeouts).then((outcome) => {
      this.running.delete(job.sid);
      this.options.onOutcome?.(job, outcome);
      this.finished.push({ sid: job.sid, uid: job.uid, request: job.request, result: outcome.result });
    });
    this.running.set(job.sid, work);
  }

  /** Results of the jobs finished since the last call, in the order they finished. */
  takeFinished(): LrmJobResult[] {
    const taken = this.finished;
    this.finished = [];
    return taken;
  }

  runningCount(): number {
    return this.running.size;
  }

  /** Resolves when every job started so far has finished (for a clean daemon exit, and tests). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }
}
