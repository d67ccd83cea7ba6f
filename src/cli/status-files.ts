import { readdirSync, readFileSync } from 'node:fs';
import { parseLrmStatusJson } from '../common/lrm-status-json.ts';
import type { LrmStatus } from '../common/lrm-status.ts';
import { parseManagerStatusJson } from '../common/manager-status-json.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import { fencedRecordProblems } from '../store/fenced-record.ts';
import type { SharedPaths } from '../store/shared-dir.ts';

/** A status file that exists but cannot be understood; the message names the file. */
export class StatusFileError extends Error {
  override name = 'StatusFileError';
}

/** Black-box record a node publishes after a watchdog reset (status/fenced/<node>.json). */
export interface FencedRecord {
  readonly reason: string;
  readonly wallMs: number;
}

/** Reads a JSON file; undefined when it does not exist; StatusFileError when it is not JSON. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StatusFileError(`${file}: Cannot read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new StatusFileError(`${file}: Corrupt status file, not JSON (${text.length} bytes)`);
  }
}

/** The manager status and the raw JSON it came from (for fields our shape does not keep). */
export function readManagerStatus(paths: SharedPaths): { status: ManagerStatus; raw: Record<string, unknown> } | undefined {
  const json = readJsonFile(paths.managerStatus);
  if (json === undefined) return undefined;
  return { status: parseStatus(() => parseManagerStatusJson(json, paths.managerStatus)), raw: json as Record<string, unknown> };
}

/** LRM statuses by node, for every status/lrm/<node>.json. */
export function readLrmStatuses(paths: SharedPaths): Map<string, LrmStatus> {
  const statuses = new Map<string, LrmStatus>();
  for (const node of jsonNamesIn(paths.lrmStatusDir)) {
    const file = paths.lrmStatus(node);
    const json = readJsonFile(file);
    if (json !== undefined) statuses.set(node, parseStatus(() => parseLrmStatusJson(json, file)));
  }
  return statuses;
}

/** Fenced records by node, for every status/fenced/<node>.json. */
export function readFencedRecords(paths: SharedPaths): Map<string, FencedRecord> {
  const records = new Map<string, FencedRecord>();
  for (const node of jsonNamesIn(paths.fencedDir)) {
    const file = paths.fenced(node);
    const json = readJsonFile(file);
    if (json === undefined) continue;
    const problems = fencedRecordProblems(json, file);
    if (problems.length > 0) throw new StatusFileError(`${problems[0]} (a corrupt fenced record)`);
    const record = json as { reason: string; wallMs: number };
    records.set(node, { reason: record.reason, wallMs: record.wallMs });
  }
  return records;
}

function jsonNamesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StatusFileError(`${dir}: Cannot read: ${(error as Error).message}`);
  }
  return names
    .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

function parseStatus<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new StatusFileError((error as Error).message);
  }
}
