import type { LrmStatus, LrmActionResult, NodeLoadStats, ServiceLoad } from './lrm-status.ts';
import type { LrmResultCode } from './lrm-result.ts';
import { fenceResultsToJson, parseFenceResultsJson } from './fencing-json.ts';
import { isOneOf, LRM_MODES, LRM_STATES } from './states.ts';

/** LRM status in its persisted JSON shape (status/lrm/<node>.json). */
export function lrmStatusToJson(status: LrmStatus): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  for (const [uid, result] of status.results) {
    results[uid] = {
      sid: result.sid,
      state: result.request,
      exit_code: result.result,
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
      ...(result.runningHere !== undefined ? { running_here: result.runningHere } : {}),
    };
  }
  const json: Record<string, unknown> = { state: status.state, mode: status.mode, results, timestamp: status.timestampMs };
  if (status.stats) json.stats = nodeLoadStatsToJson(status.stats);
  if (status.withoutWatchdog) json.watchdog = 'none';
  if (status.fenceResults && status.fenceResults.size > 0) json.fence_results = fenceResultsToJson(status.fenceResults);
  return json;
}

function nodeLoadStatsToJson(stats: NodeLoadStats): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (const [sid, load] of stats.services) services[sid] = { cpu: load.cpu, mem: load.memBytes };
  return { maxcpu: stats.maxCpu, maxmem: stats.maxMemBytes, services };
}

/** The `stats` of an LRM status; undefined when absent or not of the expected shape (an older LRM, a torn measurement). */
function parseNodeLoadStats(raw: unknown): NodeLoadStats | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const entry = raw as Record<string, unknown>;
  const isAmount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  if (!isAmount(entry.maxcpu) || !isAmount(entry.maxmem) || typeof entry.services !== 'object' || entry.services === null) return undefined;
  const services = new Map<string, ServiceLoad>();
  for (const [sid, value] of Object.entries(entry.services as Record<string, unknown>)) {
    const load = value as Record<string, unknown> | null;
    if (load && isAmount(load.cpu) && isAmount(load.mem)) services.set(sid, { cpu: load.cpu, memBytes: load.mem });
  }
  return { maxCpu: entry.maxcpu, maxMemBytes: entry.maxmem, services };
}

/** Parses a persisted LRM status; throws an Error naming `file` when it is not one. */
export function parseLrmStatusJson(json: unknown, file: string): LrmStatus {
  const fail = (problem: string): never => {
    throw new Error(`${file}: ${problem}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('Expected a JSON object');
  const root = json as Record<string, unknown>;
  if (!isOneOf(LRM_STATES, root.state)) return fail(`Unknown LRM state '${String(root.state)}'`);
  const mode = root.mode ?? 'active';
  if (!isOneOf(LRM_MODES, mode)) return fail(`Unknown LRM mode '${String(mode)}'`);
  const results = new Map<string, LrmActionResult>();
  const rawResults = root.results ?? {};
  if (typeof rawResults !== 'object' || rawResults === null) return fail('results must be an object');
  for (const [uid, raw] of Object.entries(rawResults as Record<string, unknown>)) {
    const entry = raw as Record<string, unknown>;
    if (typeof entry?.sid !== 'string' || typeof entry.exit_code !== 'number') return fail(`Bad result ${uid}`);
    // `reason` and `running_here` came later: optional, so an older LRM's file still reads.
    results.set(uid, {
      sid: entry.sid,
      request: String(entry.state ?? ''),
      result: entry.exit_code as LrmResultCode,
      ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}),
      ...(typeof entry.running_here === 'boolean' ? { runningHere: entry.running_here } : {}),
    });
  }
  const stats = parseNodeLoadStats(root.stats);
  const fenceResults = parseFenceResultsJson(root.fence_results);
  return { state: root.state, mode, results, timestampMs: Number(root.timestamp ?? 0), ...(stats ? { stats } : {}), ...(fenceResults ? { fenceResults } : {}), ...(root.watchdog === 'none' ? { withoutWatchdog: true as const } : {}) };
}
