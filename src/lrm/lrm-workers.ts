import { compareNames } from '../common/compare-names.ts';
import { assert } from '../common/assert.ts';
import { LrmResult, type LrmResultCode } from '../common/lrm-result.ts';
import type { LrmEnv, LrmJobResult } from '../env/env.ts';
import { lookedHere, type LrmActionResult } from '../common/lrm-status.ts';
import type { LrmLocal, Worker } from './lrm-local.ts';


/**
 * Queues a request for a service unless it was already executed under this request id. `stopped` is
 * the exception: it is executed every round, so a service stays stopped even without a master.
 *
 * A request for a service whose worker is still running is dropped: the master's request comes
 * again next round. A local stop of a node shutdown (no request id) does not come again, so it waits
 * for the running job and is queued when that one finishes: dropping it let a reboot leave a
 * service running that the master then recovered elsewhere (a check job still running when the
 * reboot came, e2e shutdown-policies under load).
 */
export function queueRequest(local: LrmLocal, worker: Omit<Worker, 'isRunning' | 'startTries'>): void {
  if (worker.request !== 'stopped' && worker.uid !== undefined && local.results.has(worker.uid)) return;
  const queued: Worker = {
    sid: worker.sid,
    uid: worker.uid,
    request: worker.request,
    target: worker.target,
    timeoutS: worker.timeoutS,
    isRunning: false,
    startTries: 0,
  };
  if (local.workers.get(worker.sid)?.isRunning) {
    if (worker.uid === undefined) local.queuedAfterRunning.set(worker.sid, queued);
    return;
  }
  local.workers.set(worker.sid, queued);
}

/**
 * Starts queued workers, up to `maxWorkers` at once, the longest waiting first, and records the
 * results of finished ones. Jobs that finish at once (the simulator's) free their slot for the next
 * queued job within the same call. Returns how many workers are still queued or running.
 */
export function runWorkers(env: LrmEnv, local: LrmLocal): number {
  const maxWorkers = Math.max(1, env.readConfig().settings.maxWorkers);
  let running = collectFinished(env, local);
  const waiting: Worker[] = [];
  for (const worker of local.workers.values()) if (!worker.isRunning) waiting.push(worker);
  // Usually queued in this order already (services in sid order, no one waited): then no sort.
  if (!isInStartOrder(waiting)) waiting.sort(startOrder);
  let next = 0;
  const loopsMax = waiting.length + 1;
  for (let loop = 0; loop < loopsMax && next < waiting.length; loop++) {
    while (running < maxWorkers && next < waiting.length) {
      const worker = waiting[next++]!;
      worker.isRunning = true;
      local.runningWorkers++;
      running++;
      env.startJob(worker); // a worker is its job: the environment reads the job fields only
    }
    running = collectFinished(env, local);
    if (running >= maxWorkers) break; // no slot freed: the rest wait for a later round
  }
  for (let index = next; index < waiting.length; index++) waiting[index]!.startTries++;
  return local.workers.size;
}

/**
 * A disarming LRM's workers: jobs handed to a driver run to their end and their results are recorded;
 * queued ones are dropped (the master asks again once the stack is armed). Returns how many still run.
 */
export function drainWorkers(env: LrmEnv, local: LrmLocal): number {
  const running = collectFinished(env, local);
  for (const [sid, worker] of local.workers) if (!worker.isRunning) local.workers.delete(sid);
  return running;
}

/** The longest waiting first, then by sid. */
function startOrder(a: Worker, b: Worker): number {
  return b.startTries - a.startTries || compareNames(a.sid, b.sid);
}

function isInStartOrder(workers: readonly Worker[]): boolean {
  for (let index = 1; index < workers.length; index++) if (startOrder(workers[index - 1]!, workers[index]!) > 0) return false;
  return true;
}

/** Records finished jobs; returns how many workers are still running. */
function collectFinished(env: LrmEnv, local: LrmLocal): number {
  for (const finished of env.takeFinishedJobs()) recordResult(env, local, finished);
  return local.runningWorkers;
}

function recordResult(env: LrmEnv, local: LrmLocal, finished: LrmJobResult): void {
  const worker = local.workers.get(finished.sid);
  assert(worker !== undefined, `Result for ${finished.sid}, which has no worker`);
  assert(worker.isRunning, `Result for ${finished.sid}, whose worker was not started`);
  local.workers.delete(finished.sid);
  local.runningWorkers--;
  const next = local.queuedAfterRunning.get(finished.sid);
  if (next) {
    local.queuedAfterRunning.delete(finished.sid);
    local.workers.set(finished.sid, next);
  }
  if (finished.uid === undefined) {
    if (finished.result !== LrmResult.success) local.shutdownStopErrors++;
    return;
  }
  const maxRestart = env.readConfig().resources[finished.sid]?.maxRestart ?? 0;
  const result = applyRestartPolicy(env, local, finished, maxRestart);
  if (result === LrmResult.tryAgain) return; // not reported: the start is retried next round
  if (local.isResultsPublished) {
    local.results = new Map(local.results);
    local.isResultsPublished = false;
  }
  const reported = { sid: finished.sid, request: finished.request, result, ...lookedHere(finished) };
  local.results.set(finished.uid, result !== LrmResult.success && finished.reason !== undefined ? { ...reported, reason: finished.reason } : reported);
}

/** A failed start is retried locally `maxRestart` times, one retry per round, before it is reported. */
function applyRestartPolicy(env: LrmEnv, local: LrmLocal, finished: LrmJobResult, maxRestart: number): LrmResultCode {
  if (finished.request !== 'started') return finished.result;
  if (finished.result === LrmResult.success) {
    local.restartTries.set(finished.sid, 0);
    return finished.result;
  }
  if (finished.result !== LrmResult.error) return finished.result;
  const tries = local.restartTries.get(finished.sid) ?? 0;
  if (tries >= maxRestart) {
    local.restartTries.set(finished.sid, 0);
    env.emit({ ev: 'policy', sid: finished.sid, kind: 'restart-exhausted', detail: { retries: tries } });
    return LrmResult.error;
  }
  local.restartTries.set(finished.sid, tries + 1);
  env.emit({ ev: 'policy', sid: finished.sid, kind: 'restart', detail: { attempt: tries + 1 } });
  return LrmResult.tryAgain;
}

/**
 * Keeps only results of requests the master still has open. Builds a new Map rather than deleting:
 * in a steady round every id was renewed, so nearly all results go, and the published Map must stay
 * as it was anyway.
 */
export function pruneResults(local: LrmLocal): void {
  const kept = new Map<string, LrmActionResult>();
  for (const [uid, result] of local.results) if (local.services.get(result.sid)?.uid === uid) kept.set(uid, result);
  if (kept.size !== local.results.size) {
    local.results = kept;
    local.isResultsPublished = false;
  }
  for (const sid of local.restartTries.keys()) if (!local.services.has(sid)) local.restartTries.delete(sid);
}
