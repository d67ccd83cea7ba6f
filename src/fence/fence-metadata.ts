/**
 * What a fence agent says of itself: `<agent> -o metadata` prints XML whose `<parameter name="...">`
 * elements are the options it reads on stdin. The `ha-manager fence` commands check options against
 * it where the agent is installed; asked once per agent per process (a Python agent takes ~0.1–0.5 s to
 * start). Only `-o metadata` is ever in argv: options, and so passwords, never are.
 */
import { spawnSync } from 'node:child_process';
import { RUNNER_OPTIONS } from './fence-config.ts';

/** An agent that has not printed its metadata by then is hung; the check is skipped with a warning. */
export const METADATA_CALL_TIMEOUT_MS = 10_000;

/** Metadata is a few tens of KiB (fence_ipmilan: ~20 KiB); more is not an agent's metadata. */
const METADATA_BYTES_MAX = 4 * 1024 * 1024;

/** How many close names an error suggests. */
const SUGGESTIONS_MAX = 3;

export type AgentParameters = { readonly kind: 'known'; readonly names: ReadonlySet<string> } | { readonly kind: 'unavailable'; readonly reason: string };

const cache = new Map<string, AgentParameters>();

/** The option names `agent` reads, or why they are not known (not installed, no metadata). */
export function agentParameters(agent: string): AgentParameters {
  const cached = cache.get(agent);
  if (cached) return cached;
  const found = askAgent(agent);
  cache.set(agent, found);
  return found;
}

function askAgent(agent: string): AgentParameters {
  const result = spawnSync(agent, ['-o', 'metadata'], { encoding: 'utf8', timeout: METADATA_CALL_TIMEOUT_MS, maxBuffer: METADATA_BYTES_MAX, stdio: ['ignore', 'pipe', 'ignore'] });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'unavailable', reason: `${agent} is not installed on this node (not found on PATH)` };
    if (code === 'ETIMEDOUT') return { kind: 'unavailable', reason: `${agent} -o metadata did not answer within ${METADATA_CALL_TIMEOUT_MS / 1000} s` };
    return { kind: 'unavailable', reason: `${agent} -o metadata failed: ${result.error.message}` };
  }
  const names = new Set([...result.stdout.matchAll(/<parameter\s+name="([^"]+)"/g)].map((match) => match[1]!));
  if (result.status !== 0 || names.size === 0) return { kind: 'unavailable', reason: `${agent} -o metadata printed no parameters (exit ${result.status ?? result.signal})` };
  return { kind: 'known', names };
}

/** An option the agent does not know, and the known names closest to it. */
export interface UnknownOption {
  readonly key: string;
  readonly closest: readonly string[];
}

/**
 * The options of `keys` that `parameters` does not list; ours (timeout, password_file) and `node` are
 * not the agent's to know.
 */
export function unknownOptions(keys: Iterable<string>, names: ReadonlySet<string>): UnknownOption[] {
  const unknown: UnknownOption[] = [];
  for (const key of keys) {
    if (RUNNER_OPTIONS.has(key) || key === 'node' || names.has(key)) continue;
    unknown.push({ key, closest: closestNames(key, names) });
  }
  return unknown;
}

function closestNames(key: string, names: ReadonlySet<string>): string[] {
  return [...names]
    .map((name) => ({ name, distance: editDistance(key.toLowerCase(), name.toLowerCase()) - (name.includes(key) || key.includes(name) ? 2 : 0) }))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, SUGGESTIONS_MAX)
    .map((entry) => entry.name);
}

/** Edit distance counting a swap of two neighbours as one edit (`ipprot` is one from `ipport`); names are short. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_value, index) => index)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
