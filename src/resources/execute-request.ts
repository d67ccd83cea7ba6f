import { LrmResult, type LrmResultCode } from '../common/lrm-result.ts';
import { isValidSid } from '../common/sid.ts';
import type { LrmJob } from '../env/env.ts';
import {
  DEFAULT_DRIVER_TIMEOUTS,
  isRunningResult,
  isStoppedResult,
  type DriverResult,
  type DriverTimeouts,
  type ResourceDriver,
} from './resource-driver.ts';

/** What a request did, for the environment's trace (`service-action`) and config update. */
export interface RequestOutcome {
  readonly result: LrmResultCode;
  /** The action taken; `none` when there was nothing to do. */
  readonly action: 'none' | 'start' | 'stop' | 'migrate' | 'relocate' | 'rebalance';
  /**
   * Set when the service now belongs on `target`: the caller moves its configured node there
   * (resources.cfg). The driver has not touched the configuration.
   */
  readonly movedTo?: string;
  /** Why it failed, one line (from the failing driver call). */
  readonly reason?: string;
}

export interface ExecuteOptions {
  readonly timeouts?: DriverTimeouts;
}

/**
 * Executes one LRM request for a service with a driver, with the request semantics of the simulator
 * (src/sim/sim-resources.ts `SimResources.execute`):
 * - `error` succeeds at once; a service configured on another node → `wrongNode`;
 * - `started`: success if running, else start, then check that it runs;
 * - `request_stop` / `stopped`: stop if not known stopped, then check that it is stopped;
 * - `migrate` / `relocate` / `request_start_balance` to `job.target`: success if already configured
 *   there; a balancing move of a running service is `ignored`; a `migrate` of a running service with
 *   a driver that can migrate online is a live migration; otherwise stop (if running) and relocate.
 * The job's `timeoutS` bounds the stop. An execution status other than `done` of a check is an error;
 * `not-installed` (the driver or its tool is missing) is `unknownServiceType`.
 *
 * Four positional parameters, against house rule 13, because the LRM environment is written to this
 * signature (issue "Real nodes", item 4); the fifth is the options object.
 */
export async function executeRequest(
  driver: ResourceDriver,
  job: LrmJob,
  configuredNode: string | undefined,
  localNode: string,
  options: ExecuteOptions = {},
): Promise<RequestOutcome> {
  if (configuredNode === undefined) return { result: LrmResult.unknownService, action: 'none', reason: `${job.sid} is not configured` };
  if (job.request === 'error') return { result: LrmResult.success, action: 'none' };
  if (!isValidSid(job.sid)) return { result: LrmResult.invalidParameter, action: 'none', reason: `Bad sid: ${JSON.stringify(job.sid)}` };
  if (configuredNode !== localNode) return { result: LrmResult.wrongNode, action: 'none', reason: 'wrong node' };
  const timeouts = options.timeouts ?? DEFAULT_DRIVER_TIMEOUTS;
  const steps = new Steps(driver, job.sid, timeouts, job.timeoutS);
  switch (job.request) {
    case 'started':
      return steps.ensureStarted();
    case 'request_stop':
    case 'stopped':
      return steps.ensureStopped();
    case 'migrate':
    case 'relocate':
    case 'request_start_balance':
      if (job.target === undefined) return { result: LrmResult.invalidParameter, action: 'none', reason: `${job.request} without a target` };
      if (job.target === configuredNode) return { result: LrmResult.success, action: 'none' };
      return steps.move(job.request, job.target);
    default:
      return { result: LrmResult.invalidParameter, action: 'none', reason: `Unknown request: ${JSON.stringify(job.request)}` };
  }
}

type Outcome = RequestOutcome;

/** A stop asked with timeout 0 ("now") still gets this long: drivers escalate to a hard stop within their budget. */
const STOP_TIMEOUT_MIN_MS = 1_000;

/** The check-act-check sequences of one request. */
class Steps {
  constructor(
    private readonly driver: ResourceDriver,
    private readonly sid: string,
    private readonly timeouts: DriverTimeouts,
    private readonly stopTimeoutS: number | undefined,
  ) {}

  async ensureStarted(): Promise<Outcome> {
    const before = await this.check();
    if (before.exec !== 'done') return failed('start', before);
    if (isRunningResult(before)) return { result: LrmResult.success, action: 'none' };
    const started = await this.driver.start(this.sid, { timeoutMs: this.timeouts.startMs });
    if (started.exec !== 'done' || started.exit !== 0) return failed('start', started);
    const after = await this.check();
    if (!isRunningResult(after)) return failed('start', after, 'not running after start');
    return { result: LrmResult.success, action: 'start' };
  }

  async ensureStopped(): Promise<Outcome> {
    const before = await this.check();
    if (before.exec !== 'done') return failed('stop', before);
    if (isStoppedResult(before)) return { result: LrmResult.success, action: 'none' };
    const stopFailure = await this.stop();
    return stopFailure ?? { result: LrmResult.success, action: 'stop' };
  }

  async move(request: 'migrate' | 'relocate' | 'request_start_balance', target: string): Promise<Outcome> {
    const before = await this.check();
    if (before.exec !== 'done') return failed(request === 'migrate' ? 'migrate' : 'relocate', before);
    const isRunning = isRunningResult(before);
    if (request === 'request_start_balance' && isRunning) return { result: LrmResult.ignored, action: 'rebalance' };
    const moveOptions = { target, timeoutMs: this.timeouts.migrateMs };
    if (request === 'migrate' && isRunning && this.driver.canMigrateOnline(this.sid)) {
      const migrated = await this.driver.migrate(this.sid, moveOptions);
      if (migrated.exec !== 'done' || migrated.exit !== 0) return failed('migrate', migrated);
      return { result: LrmResult.success, action: 'migrate', movedTo: target };
    }
    const action = 'relocate'; // as the simulator names it, whatever the request
    if (!isStoppedResult(before)) {
      const stopFailure = await this.stop();
      if (stopFailure) return { ...stopFailure, action };
    }
    const relocated = await this.driver.relocate(this.sid, moveOptions);
    if (relocated.exec !== 'done' || relocated.exit !== 0) return failed(action, relocated);
    return { result: LrmResult.success, action, movedTo: target };
  }

  /** Stops and checks that it stopped; undefined on success, else the failure. */
  private async stop(): Promise<Outcome | undefined> {
    const timeoutMs = this.stopTimeoutS !== undefined ? Math.max(this.stopTimeoutS * 1000, STOP_TIMEOUT_MIN_MS) : this.timeouts.stopMs;
    const stopped = await this.driver.stop(this.sid, { timeoutMs });
    if (stopped.exec !== 'done' || stopped.exit !== 0) return failed('stop', stopped);
    const after = await this.check();
    if (!isStoppedResult(after)) return failed('stop', after, 'still running after stop');
    return undefined;
  }

  private check(): Promise<DriverResult> {
    return this.driver.check(this.sid, { timeoutMs: this.timeouts.checkMs });
  }
}

function failed(action: Outcome['action'], result: DriverResult, why?: string): Outcome {
  const code = result.exec === 'not-installed' ? LrmResult.unknownServiceType : LrmResult.error;
  const reason = [why, result.detail ?? `${result.exec}, exit ${result.exit}`].filter(Boolean).join(': ');
  return { result: code, action, reason };
}
