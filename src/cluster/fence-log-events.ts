import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { FenceAction, FenceProof } from '../common/manager-status.ts';
import type { StoryEvent } from './demo-story.ts';
import type { FenceStoryEvent } from './fence-story.ts';

/**
 * The fence events of a local cluster's logs, for the demo's story and the benchmarks: every daemon of
 * the cluster logs JSON lines (`--log-format json`: `{"t":…,"node":…,"daemon":…,"ev":…}`), so the
 * master's `fence-request` / `fence-result` / `fence-ack` and the proxy's `fence job …` lines each
 * come with the wall time they were written. Reads only what was appended since the last call (a log
 * grows for the whole run), and only whole lines: a line being written is read next time.
 */

/** One call reads at most this much of a log: a second of a quiet cluster's logs is a few kB. */
const READ_BYTES_MAX = 4 * 1024 * 1024;
/** The proxy's own words (src/fence/fence-jobs.ts): `fence job <uid>: level <n> (<action>) for node '<target>' <outcome>[: reason]`. */
const JOB_LINE = /^fence job \S+: (?:level (\d+) \((off|on)\)|(soft) fence) for node '([^']+)' (started|succeeded|failed)(?:: (.*))?$/;

export interface KeyedFenceEvent {
  /** Unique per event: the demo's observer notices each once. */
  readonly key: string;
  readonly event: FenceStoryEvent | Extract<StoryEvent, { kind: 'node-view' }>;
}

export class FenceLogReader {
  private readonly offsets = new Map<string, number>();
  private eventsRead = 0;

  constructor(
    /** The folder of each node's logs (LocalCluster.localDir). */
    private readonly logDirOf: (node: string) => string,
    private readonly nodes: readonly string[],
  ) {}

  /** The fence events about `target` appended to the logs since the last call. */
  read(target: string): KeyedFenceEvent[] {
    const found: KeyedFenceEvent[] = [];
    for (const node of this.nodes) {
      for (const daemon of ['crm', 'lrm'] as const) {
        const file = join(this.logDirOf(node), `${daemon}.log`);
        for (const line of this.newLines(file)) {
          const event = fenceEventOf(line, target);
          if (event !== undefined) found.push({ key: `log:${node}:${daemon}:${this.eventsRead++}`, event });
        }
      }
    }
    return found;
  }

  private newLines(file: string): string[] {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return []; // not started yet
    }
    try {
      const offset = this.offsets.get(file) ?? 0;
      const length = Math.min(READ_BYTES_MAX, fstatSync(fd).size - offset);
      if (length <= 0) return [];
      const buffer = Buffer.alloc(length);
      const read = readSync(fd, buffer, 0, length, offset);
      const text = buffer.subarray(0, read).toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) return [];
      this.offsets.set(file, offset + Buffer.byteLength(text.slice(0, end + 1)));
      return text.slice(0, end).split('\n');
    } finally {
      closeSync(fd);
    }
  }
}

/** The fence event a log line tells about `target`, if any. Lines that are no JSON (a crash's stack) are skipped. */
export function fenceEventOf(line: string, target: string): KeyedFenceEvent['event'] | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const wallMs = entry.t;
  const node = entry.node;
  if (typeof wallMs !== 'number' || typeof node !== 'string') return undefined;
  if (entry.ev === 'log' && typeof entry.msg === 'string') return jobEventOf(entry.msg, node, wallMs, target);
  if (entry.target !== target) return undefined;
  const action = entry.action as FenceAction;
  const level = typeof entry.level === 'number' ? entry.level : 0;
  switch (entry.ev) {
    case 'node-state':
      return { kind: 'node-view', wallMs, master: node, node: target, from: String(entry.from), to: String(entry.to) };
    case 'fence-request':
      return { kind: 'fence-request', wallMs, master: node, target, action, level, proxy: String(entry.proxy) };
    case 'fence-result': {
      const reason = typeof entry.reason === 'string' ? { reason: entry.reason } : {};
      return { kind: 'fence-result', wallMs, master: node, target, action, level, proxy: String(entry.proxy), isOk: entry.result === 'ok', ...reason };
    }
    case 'fence-ack':
      return typeof entry.proof === 'string' ? { kind: 'fence-proof', wallMs, master: node, target, proof: entry.proof as FenceProof } : undefined;
    default:
      return undefined;
  }
}

function jobEventOf(message: string, proxy: string, wallMs: number, target: string): FenceStoryEvent | undefined {
  const match = JOB_LINE.exec(message);
  if (match === null || match[4] !== target) return undefined;
  const action: FenceAction = match[3] === 'soft' ? 'soft' : (match[2] as 'off' | 'on');
  const level = match[1] === undefined ? 0 : Number(match[1]) - 1;
  const outcome = match[5] as 'started' | 'succeeded' | 'failed';
  return { kind: 'fence-job', wallMs, proxy, target, action, level, outcome, ...(match[6] !== undefined ? { reason: match[6] } : {}) };
}
