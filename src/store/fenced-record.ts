import { assert } from '../common/assert.ts';
import { isValidNodeName } from '../common/node-name.ts';

/**
 * Why a node was last reset, from its black box (node-local journal), published by that node after
 * the reset as status/fenced/<node>.json so that `ha-manager status` can show it cluster-wide.
 */
export interface FencedRecord {
  readonly node: string;
  /** One sentence, e.g. "Agent lease not renewed for 65000 ms: store unavailable (EIO)". */
  readonly reason: string;
  /** When the node published this (its wall clock). */
  readonly wallMs: number;
  /** The last lease renewal the black box recorded, if any (wall clock). */
  readonly lastRenewalWallMs?: number;
  readonly detail?: string;
}

/** Keeps a record readable in a status line; a longer detail belongs in the node's journal. */
const REASON_LENGTH_MAX = 1_000;

/** Problems of a parsed fenced record; empty when it is one. `file` names where it came from. */
export function fencedRecordProblems(json: unknown, file: string): string[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return [`${file}: Expected a JSON object`];
  const record = json as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof record.node !== 'string' || !isValidNodeName(record.node)) problems.push(`${file}: Bad node ${JSON.stringify(record.node)}`);
  if (typeof record.reason !== 'string' || record.reason === '' || record.reason.length > REASON_LENGTH_MAX) {
    problems.push(`${file}: reason must be a non-empty string of at most ${REASON_LENGTH_MAX} characters`);
  }
  if (!Number.isSafeInteger(record.wallMs)) problems.push(`${file}: wallMs must be an integer, got ${JSON.stringify(record.wallMs)}`);
  if (record.lastRenewalWallMs !== undefined && !Number.isSafeInteger(record.lastRenewalWallMs)) {
    problems.push(`${file}: lastRenewalWallMs must be an integer, got ${JSON.stringify(record.lastRenewalWallMs)}`);
  }
  if (record.detail !== undefined && typeof record.detail !== 'string') problems.push(`${file}: detail must be a string`);
  return problems;
}

/** Parses a fenced record; throws an Error naming `file` when it is not one. */
export function parseFencedRecordJson(json: unknown, file: string): FencedRecord {
  const problems = fencedRecordProblems(json, file);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const record = json as Record<string, unknown> & { node: string; reason: string; wallMs: number };
  return {
    node: record.node,
    reason: record.reason,
    wallMs: record.wallMs,
    ...(typeof record.lastRenewalWallMs === 'number' ? { lastRenewalWallMs: record.lastRenewalWallMs } : {}),
    ...(typeof record.detail === 'string' ? { detail: record.detail } : {}),
  };
}

export function fencedRecordToJson(record: FencedRecord): Record<string, unknown> {
  const problems = fencedRecordProblems(record, `fenced record of ${record.node}`);
  assert(problems.length === 0, `Refusing to write a bad fenced record: ${problems.join('; ')}`);
  return { ...record };
}
