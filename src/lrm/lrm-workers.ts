import { assert } from '../common/assert.ts';
import { LrmResult, type LrmResultCode } from '../common/lrm-result.ts';
import type { LrmEnv, LrmJobResult } from '../env/env.ts';
import type { LrmLocal, Worker } from './lrm-local.ts';

/** One round may start each queued worker at most once more than there are workers: a bound, not a target. */
const WORKER_LOOPS_PER_QUEUED_MAX = 2;

/**
 * Queues a request for a service unless it was already executed under this request id. `stopped` is
 * the exception: it is executed every round, so a service stays stopped even without a master.
 */
export function queueRequest(local: LrmLocal, worker: Omit<Worker, 'isRunning' | 'startTries'>): void {
  if (worker.request !== 'stopped' && worker.uid !== undefined && local.processedUids.has(worker.uid)) return;
  const existing = local.workers.get(worker.sid);
  if (existing?.isRunning) return;
  local.workers.set(worker.sid, { ...worker, isRunning: false, startTries: 0 });
}

/**
 * Starts queued workers, up to `maxWorkers` at once, and records the results of finished ones.
 * Returns how many workers are still queued or running.
 */
export function runWorkers(env: LrmEnv, local: LrmLocal): number {
  const config = env.readConfig();
  const maxWorkers = Math.max(1, config.settings.maxWorkers);
  const loopsMax = WORKER_LOOPS_PER_QUEUED_MAX * (local.workers.size + 1);
  for (let loop = 0; loop < loopsMax; loop++) {
    let running = collectFinished(env, local);
    const waiting = [...local.workers.values()]
      .filter((worker) => !worker.isRunning)
      .sort((a, b) => b.startTries - a.startTries || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
    for (const worker of waiting) {
      worker.startTries++;
      if (running >= maxWorkers) continue;
      worker.isRunning = true;
      running++;
      env.startJob(jobOf(worker));
    }
    const stillRunning = collectFinished(env, local);
    if (stillRunning === running) break; // nothing finished: the rest finish in a later round
  }
  return local.workers.size;
}

function jobOf(worker: Worker) {
  return {
    sid: worker.sid,
    uid: worker.uid,
    request: worker.request,
    ...(worker.target !== undefined ? { target: worker.target } : {}),
    ...(worker.timeoutS !== undefined ? { timeoutS: worker.timeoutS } : {}),
  };
}

/** Records finished jobs; returns how many workers are still running. */
function collectFinished(env: LrmEnv, local: LrmLocal): number {
  for (const finished of env.takeFinishedJobs()) recordResult(env, local, finished);
  let running = 0;
  for (const worker of local.workers.values()) if (worker.isRunning) running++;
  return running;
}

function recordResult(env: LrmEnv, local: LrmLocal, finished: LrmJobResult): void {
  const worker = local.workers.get(finished.sid);
  assert(worker !== undefined, `Result for ${finished.sid}, which has no worker`);
  assert(worker.isRunning, `Result for ${finished.sid}, whose worker was not started`);
  local.workers.delete(finished.sid);
  if (finished.uid === undefined) {
    if (finished.result !== LrmResult.success) local.shutdownStopErrors++;
    return;
  }
  const maxRestart = env.readConfig().resources[finished.sid]?.maxRestart ?? 0;
  const result = applyRestartPolicy(env, local, finished, maxRestart);
  if (result === LrmResult.tryAgain) return; // not reported: the start is retried next round
  local.results[finished.uid] = { sid: finished.sid, request: finished.request, result };
  local.processedUids.add(finished.uid);
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

/** Keeps only results (and executed ids) of requests the master still has open. */
export function pruneResults(local: LrmLocal): void {
  const liveUids = new Set<string>();
  for (const sid in local.services) liveUids.add(local.services[sid]!.uid);
  for (const uid of Object.keys(local.results)) if (!liveUids.has(uid)) delete local.results[uid];
  for (const uid of local.processedUids) if (!liveUids.has(uid)) local.processedUids.delete(uid);
  for (const sid of local.restartTries.keys()) if (!local.services[sid]) local.restartTries.delete(sid);
}
