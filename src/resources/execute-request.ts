import { assert, assertNever } from '../common/assert.ts';
import { LrmResult } from '../common/lrm-result.ts';
import type { LrmJob, LrmJobResult } from '../env/env.ts';
import { lookedHere } from '../common/lrm-status.ts';
import { DEFAULT_DRIVER_TIMEOUTS, type DriverCalls, type DriverTimeouts, type ResourceDriver, type SyncResourceDriver } from './resource-driver.ts';
import { DRIVER_CALLS_MAX, requestSteps, type DriverCall, type RequestOutcome, type RequestSteps } from './request-steps.ts';

export type { RequestOutcome } from './request-steps.ts';

/** Where a request runs: the node the master recorded for the service, and this node. */
export interface ExecuteOptions {
  /** The service's node as resources.cfg says; undefined when it is not configured. */
  readonly configuredNode: string | undefined;
  readonly localNode: string;
  readonly timeouts?: DriverTimeouts;
}

/**
 * Executes one LRM request with a real driver: the request core (request-steps.ts), each driver call
 * awaited. Resolves for every condition of the world; a rejection is a driver's bug.
 */
export async function executeRequest(driver: ResourceDriver, job: LrmJob, options: ExecuteOptions): Promise<RequestOutcome> {
  const steps = stepsFor(driver, job, options);
  let step = steps.next();
  for (let calls = 1; !step.done; calls++) {
    assertWithinCalls(calls, job);
    step = steps.next(await callDriver(driver, job.sid, step.value));
  }
  return step.value;
}

/** The same request with a driver that answers at once: the simulator's resources, in virtual time. */
export function executeRequestSync(driver: SyncResourceDriver, job: LrmJob, options: ExecuteOptions): RequestOutcome {
  const steps = stepsFor(driver, job, options);
  let step = steps.next();
  for (let calls = 1; !step.done; calls++) {
    assertWithinCalls(calls, job);
    step = steps.next(callDriver(driver, job.sid, step.value));
  }
  return step.value;
}

/**
 * What the LRM gets back for a finished job, in the simulator and on a node alike: the result, and for
 * a failure the reason the driver gave (one line), which travels to the master and to `status`.
 */
export function jobResult(job: LrmJob, outcome: RequestOutcome): LrmJobResult {
  const result = { sid: job.sid, uid: job.uid, request: job.request, result: outcome.result, ...lookedHere(outcome) };
  return outcome.result !== LrmResult.success && outcome.reason !== undefined ? { ...result, reason: outcome.reason } : result;
}

function stepsFor<Answer>(driver: DriverCalls<Answer>, job: LrmJob, options: ExecuteOptions): RequestSteps {
  return requestSteps({
    job,
    configuredNode: options.configuredNode,
    localNode: options.localNode,
    timeouts: options.timeouts ?? DEFAULT_DRIVER_TIMEOUTS,
    driver,
  });
}

function assertWithinCalls(calls: number, job: LrmJob): void {
  assert(calls <= DRIVER_CALLS_MAX, `Request ${job.request} of ${job.sid} asked for driver call ${calls} (limit ${DRIVER_CALLS_MAX})`);
}

function callDriver<Answer>(driver: DriverCalls<Answer>, sid: string, call: DriverCall): Answer {
  switch (call.method) {
    case 'check':
      return driver.check(sid, call.options);
    case 'start':
      return driver.start(sid, call.options);
    case 'stop':
      return driver.stop(sid, call.options);
    case 'migrate':
      return driver.migrate(sid, call.options);
    case 'relocate':
      return driver.relocate(sid, call.options);
    default:
      return assertNever(call, 'driver call');
  }
}
