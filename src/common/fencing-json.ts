import type { FenceJobResult } from './lrm-status.ts';
import type { FenceAction, FenceAttempt, FenceProof, FenceRecord, ManagerStatus } from './manager-status.ts';

/**
 * The external-fencing parts of the persisted statuses: the master's fence jobs, operators'
 * confirmations and last fence proofs (status/manager.json), and a proxy's job results
 * (status/lrm/<node>.json). Every field is optional in the files, so statuses written before
 * external fencing still read.
 */

const FENCE_ACTIONS: readonly FenceAction[] = ['off', 'on', 'soft'];
const FENCE_PROOFS: readonly FenceProof[] = ['reset', 'free', 'agent', 'kdump', 'operator'];

type Fail = (problem: string) => never;

function objectOf(value: unknown, what: string, fail: Fail): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return fail(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function actionOf(value: unknown, what: string, fail: Fail): FenceAction {
  if (!FENCE_ACTIONS.includes(value as FenceAction)) fail(`${what} has unknown action '${String(value)}', expected ${FENCE_ACTIONS.join(', ')}`);
  return value as FenceAction;
}

function countOf(value: unknown, what: string, fail: Fail): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(`${what} must be a whole number, got ${JSON.stringify(value)}`);
  return value as number;
}

/** Reads `fencing`, `fence_acks` and `last_fence` of a manager status into `status`. */
export function parseFencingJson(root: Record<string, unknown>, status: ManagerStatus, fail: Fail): void {
  const fencing: Record<string, FenceAttempt> = {};
  for (const [node, raw] of Object.entries(objectOf(root.fencing, 'fencing', fail))) {
    const entry = objectOf(raw, `fencing of ${node}`, fail);
    if (typeof entry.uid !== 'string' || typeof entry.proxy !== 'string') fail(`fencing of ${node} needs uid and proxy`);
    const attempt: FenceAttempt = {
      uid: entry.uid as string,
      proxy: entry.proxy as string,
      action: actionOf(entry.action, `fencing of ${node}`, fail),
      level: countOf(entry.level, `fencing level of ${node}`, fail),
      failedPasses: countOf(entry.failed_passes ?? 0, `failed_passes of ${node}`, fail),
      ...(typeof entry.last_error === 'string' ? { lastError: entry.last_error } : {}),
    };
    fencing[node] = attempt;
  }
  if (Object.keys(fencing).length > 0) status.fencing = fencing;
  const acks: Record<string, { by: string }> = {};
  for (const [node, raw] of Object.entries(objectOf(root.fence_acks, 'fence_acks', fail))) acks[node] = { by: String(objectOf(raw, `fence_acks of ${node}`, fail).by ?? '') };
  if (Object.keys(acks).length > 0) status.fenceAcks = acks;
  const last: Record<string, FenceRecord> = {};
  for (const [node, raw] of Object.entries(objectOf(root.last_fence, 'last_fence', fail))) {
    const entry = objectOf(raw, `last_fence of ${node}`, fail);
    if (!FENCE_PROOFS.includes(entry.proof as FenceProof)) fail(`last_fence of ${node} has unknown proof '${String(entry.proof)}'`);
    last[node] = { proof: entry.proof as FenceProof, timestampMs: Number(entry.timestamp ?? 0), ...(typeof entry.by === 'string' ? { by: entry.by } : {}) };
  }
  if (Object.keys(last).length > 0) status.lastFence = last;
}

export function fencingToJson(status: ManagerStatus): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  if (status.fencing !== undefined) {
    const fencing: Record<string, unknown> = {};
    for (const [node, attempt] of Object.entries(status.fencing)) {
      fencing[node] = { uid: attempt.uid, proxy: attempt.proxy, action: attempt.action, level: attempt.level, failed_passes: attempt.failedPasses, ...(attempt.lastError !== undefined ? { last_error: attempt.lastError } : {}) };
    }
    json.fencing = fencing;
  }
  if (status.fenceAcks !== undefined) json.fence_acks = { ...status.fenceAcks };
  if (status.lastFence !== undefined) {
    const last: Record<string, unknown> = {};
    for (const [node, record] of Object.entries(status.lastFence)) last[node] = { proof: record.proof, timestamp: record.timestampMs, ...(record.by !== undefined ? { by: record.by } : {}) };
    json.last_fence = last;
  }
  return json;
}

/** A proxy's `fence_results`; an entry of the wrong shape is left out (a torn or older file), never trusted. */
export function parseFenceResultsJson(raw: unknown): Map<string, FenceJobResult> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const results = new Map<string, FenceJobResult>();
  for (const [uid, value] of Object.entries(raw as Record<string, unknown>)) {
    const entry = value as Record<string, unknown> | null;
    if (!entry || typeof entry.target !== 'string' || typeof entry.ok !== 'boolean' || !FENCE_ACTIONS.includes(entry.action as FenceAction)) continue;
    if (!Number.isSafeInteger(entry.level)) continue;
    const result: FenceJobResult = { uid, target: entry.target, action: entry.action as FenceAction, level: entry.level as number, ok: entry.ok, ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}) };
    results.set(uid, result);
  }
  return results.size > 0 ? results : undefined;
}

export function fenceResultsToJson(results: ReadonlyMap<string, FenceJobResult>): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [uid, result] of results) json[uid] = { target: result.target, action: result.action, level: result.level, ok: result.ok, ...(result.reason !== undefined ? { reason: result.reason } : {}) };
  return json;
}
