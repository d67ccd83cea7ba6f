/**
 * The semantics of one LRM request on one service, written once for the simulator and the daemons.
 *
 * Design note: executing a request is a short conversation with a driver (check, act, check again),
 * and the two environments differ only in how a driver answers: the daemons' drivers run commands and
 * answer later, the simulator's resources answer at once in virtual time. So the conversation is a
 * generator that does no I/O: it yields the driver call it wants and is resumed with the call's
 * result; it returns the outcome. `executeRequest` runs it against a real driver (awaiting each
 * answer), `executeRequestSync` against the simulated one (execute-request.ts). No rule lives in a
 * runner, and no runner can take a path the other cannot.
 *
 * The rules, in the order they are checked:
 * - a service that is not configured → `unknownService`; the `error` request → success, nothing done;
 * - a malformed sid → `invalidParameter`; a service configured on another node → `wrongNode`, after one
 *   look whether it runs here (`runningHere`): nothing else is done, but the master can then tell a
 *   stale record of its own (not running here: take the configured node, wrong-node.ts) from a
 *   service that runs where it is not configured (a conflict it must not resolve by starting it
 *   elsewhere). The configured node is the one the master recorded (resources.cfg): only the master
 *   decides and records where a service is, the LRM never writes it. Between an LRM's move and the
 *   master's record the check still reads the source. Proxmox's simulator reads where the guest's
 *   config lives, which the move changes at once; no reference scenario has a request in that window
 *   (the 43 match either way), and in the chaos swarm the difference is a shutdown's local stop that
 *   reads `wrong node` instead of "not running here" (its node then keeps its lease: a slower, never
 *   an unsafe, fence), or a restarted LRM that repeats a finished move instead of answering `wrong node`;
 * - `started`: nothing if it runs; else start, then check that it runs;
 * - `request_stop` / `stopped`: nothing if known stopped; else stop within the request's timeout, then
 *   check that it stopped;
 * - `migrate` / `relocate` / `request_start_balance` to the target: success with nothing done when the
 *   service is configured on the target already; a balancing move of a running service is `ignored`;
 *   a `migrate` of a running service whose driver can migrate it online is a live migration; every
 *   other move is offline: stop (if not known stopped), check, then relocate.
 * - An offline move whose stop fails fails the move: the service is left where it is, still running,
 *   and the master puts it back to `started` on the source. Proxmox's simulator moves it anyway (its
 *   simulated stop failure is ignored there, conformance README §3), but a driver cannot hand over a
 *   service it could not stop without running it twice; no reference scenario relocates a service
 *   that cannot stop while it runs, so the 43 still match.
 */
import { LrmResult, type LrmResultCode } from '../common/lrm-result.ts';
import { isValidSid } from '../common/sid.ts';
import type { LrmJob } from '../env/env.ts';
import {
  isRunningResult,
  isStoppedResult,
  type CallOptions,
  type DriverResult,
  type DriverTimeouts,
  type MoveOptions,
} from './resource-driver.ts';

/** What the LRM did for a request; `none` when there was nothing to do. */
export type ServiceAction = 'none' | 'start' | 'stop' | 'migrate' | 'relocate' | 'rebalance';

/** The outcome of one request: the result the LRM reports, and what it did (for the trace). */
export interface RequestOutcome {
  readonly result: LrmResultCode;
  readonly action: ServiceAction;
  /** Why it failed, one line (from the failing driver call). */
  readonly reason?: string;
  /** Only with `wrongNode`: whether the driver found the service running on this node; absent when the look failed. */
  readonly runningHere?: boolean;
}

/** One driver call the core asks for; the runner makes it and resumes the core with its result. */
export type DriverCall =
  | { readonly method: 'check' | 'start' | 'stop'; readonly options: CallOptions }
  | { readonly method: 'migrate' | 'relocate'; readonly options: MoveOptions };

export interface RequestInput {
  readonly job: LrmJob;
  /** The node the master recorded for the service (resources.cfg); undefined when not configured. */
  readonly configuredNode: string | undefined;
  /** The node whose LRM executes the request. */
  readonly localNode: string;
  readonly timeouts: DriverTimeouts;
  /** Asked "can this service move while it runs?" only for a migrate of a running service. */
  readonly driver: { canMigrateOnline(sid: string): boolean };
}

export type RequestSteps = Generator<DriverCall, RequestOutcome, DriverResult>;

/** The longest conversation is check, stop, check, relocate; a runner asserts it never goes past this. */
export const DRIVER_CALLS_MAX = 4;

/** A stop asked with timeout 0 ("now") still gets this long: drivers escalate to a hard stop within their budget. */
export const STOP_TIMEOUT_MIN_MS = 1_000;

const NOTHING: RequestOutcome = { result: LrmResult.success, action: 'none' };

export function* requestSteps(input: RequestInput): RequestSteps {
  const { job, configuredNode } = input;
  if (configuredNode === undefined) return { result: LrmResult.unknownService, action: 'none', reason: `${job.sid} is not configured` };
  if (job.request === 'error') return NOTHING;
  if (!isValidSid(job.sid)) return { result: LrmResult.invalidParameter, action: 'none', reason: `Bad sid: ${JSON.stringify(job.sid)}` };
  if (configuredNode !== input.localNode) return yield* wrongNode(input);
  switch (job.request) {
    case 'started':
      return yield* ensureStarted(input);
    case 'request_stop':
    case 'stopped':
      return yield* ensureStopped(input);
    case 'migrate':
    case 'relocate':
    case 'request_start_balance':
      if (job.target === undefined) return { result: LrmResult.invalidParameter, action: 'none', reason: `${job.request} without a target` };
      if (job.target === configuredNode) return NOTHING;
      return yield* move(input, job.request, job.target);
    default:
      return { result: LrmResult.invalidParameter, action: 'none', reason: `Unknown request: ${JSON.stringify(job.request)}` };
  }
}

function* wrongNode(input: RequestInput): RequestSteps {
  const here = yield check(input);
  const outcome: RequestOutcome = { result: LrmResult.wrongNode, action: 'none', reason: 'wrong node' };
  if (isRunningResult(here)) return { ...outcome, runningHere: true };
  if (isStoppedResult(here)) return { ...outcome, runningHere: false };
  return outcome;
}

function* ensureStarted(input: RequestInput): RequestSteps {
  const before = yield check(input);
  if (before.exec !== 'done') return failed('start', before);
  if (isRunningResult(before)) return NOTHING;
  const started = yield { method: 'start', options: { timeoutMs: input.timeouts.startMs } };
  if (!isDone(started)) return failed('start', started);
  const after = yield check(input);
  if (!isRunningResult(after)) return failed('start', after, 'not running after start');
  return { result: LrmResult.success, action: 'start' };
}

function* ensureStopped(input: RequestInput): RequestSteps {
  const before = yield check(input);
  if (before.exec !== 'done') return failed('stop', before);
  if (isStoppedResult(before)) return NOTHING;
  const stopFailure = yield* stop(input);
  return stopFailure ?? { result: LrmResult.success, action: 'stop' };
}

function* move(input: RequestInput, request: 'migrate' | 'relocate' | 'request_start_balance', target: string): RequestSteps {
  const before = yield check(input);
  if (before.exec !== 'done') return failed(request === 'migrate' ? 'migrate' : 'relocate', before);
  const isRunning = isRunningResult(before);
  if (request === 'request_start_balance' && isRunning) return { result: LrmResult.ignored, action: 'rebalance' };
  const options = { target, timeoutMs: input.timeouts.migrateMs };
  if (request === 'migrate' && isRunning && input.driver.canMigrateOnline(input.job.sid)) {
    const migrated = yield { method: 'migrate', options };
    if (!isDone(migrated)) return failed('migrate', migrated);
    return { result: LrmResult.success, action: 'migrate' };
  }
  // Every other move is offline, and named `relocate` whatever the request (as Proxmox logs it).
  if (!isStoppedResult(before)) {
    const stopFailure = yield* stop(input);
    if (stopFailure) return { ...stopFailure, action: 'relocate' };
  }
  const relocated = yield { method: 'relocate', options };
  if (!isDone(relocated)) return failed('relocate', relocated);
  return { result: LrmResult.success, action: 'relocate' };
}

/** Stops and checks that it stopped; undefined on success, else the failure. */
function* stop(input: RequestInput): Generator<DriverCall, RequestOutcome | undefined, DriverResult> {
  const { timeoutS } = input.job;
  const timeoutMs = timeoutS !== undefined ? Math.max(timeoutS * 1000, STOP_TIMEOUT_MIN_MS) : input.timeouts.stopMs;
  const stopped = yield { method: 'stop', options: { timeoutMs } };
  if (!isDone(stopped)) return failed('stop', stopped);
  const after = yield check(input);
  if (!isStoppedResult(after)) return failed('stop', after, 'still running after stop');
  return undefined;
}

/** The check call per set of timeouts: made once, since a steady round checks every running service. */
const checkCalls = new WeakMap<DriverTimeouts, DriverCall>();

function check(input: RequestInput): DriverCall {
  let call = checkCalls.get(input.timeouts);
  if (!call) {
    call = { method: 'check', options: { timeoutMs: input.timeouts.checkMs } };
    checkCalls.set(input.timeouts, call);
  }
  return call;
}

function isDone(result: DriverResult): boolean {
  return result.exec === 'done' && result.exit === 0;
}

function failed(action: ServiceAction, result: DriverResult, why?: string): RequestOutcome {
  const code = result.exec === 'not-installed' ? LrmResult.unknownServiceType : LrmResult.error;
  const reason = [why, result.detail ?? `${result.exec}, exit ${result.exit}`].filter(Boolean).join(': ');
  return { result: code, action, reason };
}
