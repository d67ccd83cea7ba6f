import { assert } from '../common/assert.ts';
import type { LrmJob, LrmJobResult } from '../env/env.ts';
import type { DriverRegistry } from './driver-registry.ts';
import { executeRequest, jobResult, type RequestOutcome } from './execute-request.ts';
import type { DriverTimeouts } from './resource-driver.ts';

/** Service actions running at once; the LRM core's worker limit (max_workers ≤ 64) stays below it. */
export const RUNNING_JOBS_MAX = 128;

export interface DriverJobRunnerOptions {
  /** This node. */
  readonly node: string;
  readonly registry: DriverRegistry;
  /**
   * The node the master recorded for a service (resources.cfg), read when its job starts; undefined
   * when it is not configured.
   */
  readonly configuredNodeOf: (sid: string) => string | undefined;
  /** Called when a job has finished, before its result can be taken: the place for the trace event and the journal. */
  readonly onOutcome?: (job: LrmJob, outcome: RequestOutcome) => void;
  /** Called after every job, finished or broken, so the daemon loop can run its next round early. */
  readonly onSettled?: () => void;
  readonly timeouts?: DriverTimeouts;
}

/**
 * Runs LRM jobs through the drivers in the background, for a node environment's `startJob` /
 * `takeFinishedJobs`: a job is started by one LRM round and its result collected by a later one. The
 * LRM bounds how many run at once; this runner refuses a second job for a sid whose job still runs.
 * A driver call that throws is a bug: `takeFinished` rethrows it, so the round fails and the daemon
 * exits.
 */
export class DriverJobRunner {
  private readonly running = new Map<string, Promise<void>>();
  private finished: LrmJobResult[] = [];
  private bug: { readonly error: unknown } | undefined;

  constructor(private readonly options: DriverJobRunnerOptions) {}

  start(job: LrmJob): void {
    // The LRM runs one worker per sid; a second job would race the first on the same service.
    assert(!this.running.has(job.sid), `Bad argument job: ${job.sid} already has a job running`);
    assert(this.running.size < RUNNING_JOBS_MAX, `Bad argument job: ${this.running.size} jobs running (limit ${RUNNING_JOBS_MAX})`);
    const { node, registry, timeouts } = this.options;
    const options = { configuredNode: this.options.configuredNodeOf(job.sid), localNode: node, ...(timeouts ? { timeouts } : {}) };
    const work = executeRequest(registry.driverFor(job.sid), job, options).then(
      (outcome) => {
        this.running.delete(job.sid);
        this.options.onOutcome?.(job, outcome);
        this.finished.push(jobResult(job, outcome));
        this.options.onSettled?.();
      },
      (error: unknown) => {
        this.running.delete(job.sid);
        this.bug ??= { error };
        this.options.onSettled?.();
      },
    );
    this.running.set(job.sid, work);
  }

  /** Results of the jobs finished since the last call, in the order they finished. */
  takeFinished(): LrmJobResult[] {
    if (this.bug) throw this.bug.error; // a driver broke its contract: the daemon exits
    const taken = this.finished;
    this.finished = [];
    return taken;
  }

  runningCount(): number {
    return this.running.size;
  }

  /** Resolves when every job started so far has finished (for a clean daemon exit, and tests). */
  async whenIdle(): Promise<void> {
    // Each pass awaits the jobs running at its start; a caller waiting for idleness starts no more, so
    // passing this bound means jobs keep being started: a bug of the caller.
    const passesMax = RUNNING_JOBS_MAX + 1;
    for (let pass = 0; this.running.size > 0; pass++) {
      assert(pass < passesMax, `Jobs still running after ${passesMax} waits`);
      await Promise.all([...this.running.values()]);
    }
  }
}
