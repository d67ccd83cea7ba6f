import { hostname } from 'node:os';
import { createLogSink } from '../common/log-sink.ts';
import { blackBoxWords, isDirectory, locateJournals, NodeJournals, type JournalRow } from '../env/journal-reader.ts';
import { UsageError } from './exit-codes.ts';

export interface LogArgs {
  readonly node?: string;
  readonly follow: boolean;
  readonly since?: string;
  readonly lines: number;
  readonly all: boolean;
  readonly 'state-dir': string;
  readonly 'output-format': 'text' | 'json';
}

/** How often `--follow` looks for new rows: the daemons write theirs once per round (1 s or more). */
const FOLLOW_POLL_MS = 500;
/** `--follow` runs until Ctrl-C; this bound only makes the loop finite (over 15 years of polls). */
const FOLLOW_POLLS_MAX = 1e9;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A journal that cannot be read: one line, exit 1. */
class LogRefused extends Error {
  override name = 'LogRefused';
}

export async function runLog(args: LogArgs): Promise<void> {
  if (!Number.isSafeInteger(args.lines) || args.lines < 0) throw new UsageError(`--lines: expected a whole number of lines, 0 or more, got ${args.lines}`);
  const sinceWallMs = args.since === undefined ? undefined : Date.now() - parseDuration(args.since);
  const journals = openJournals(args);
  const print = (rows: JournalRow[]) => {
    if (rows.length > 0) process.stdout.write(rows.map((row) => renderRow(row, journals.node, args['output-format'])).join(''));
  };
  try {
    const { rows, cursor } = journals.reader.readLast({ sinceWallMs, rowsMax: args.lines, isRoutineShown: args.all });
    print(rows);
    if (!args.follow) return;
    await followJournals(() => print(journals.reader.readAfter(cursor, args.all)));
  } finally {
    journals.reader.close();
  }
}

/** `30s`, `10m`, `2h`, `1d` (decimals allowed) in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (match === null) throw new UsageError(`--since: expected a duration like 30s, 10m, 2h or 1d, got ${JSON.stringify(text)}`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

function openJournals(args: LogArgs): { reader: NodeJournals; node: string } {
  const stateDir = args['state-dir'];
  if (!isDirectory(stateDir)) throw new LogRefused(`No state directory ${stateDir}: the daemons keep their journals there (their --state-dir, default /var/lib/ha-manager); is this a node of the cluster?`);
  const here = openReadable(stateDir);
  const nodeHere = here.nodeName();
  const node = args.node ?? nodeHere ?? hostname().split('.')[0]!;
  const place = locateJournals(stateDir, node, nodeHere);
  if (place.kind === 'elsewhere') {
    here.close();
    throw new LogRefused(place.message);
  }
  if (place.dir === stateDir) return checked(here, node);
  here.close();
  return checked(openReadable(place.dir), node);
}

function checked(reader: NodeJournals, node: string): { reader: NodeJournals; node: string } {
  if (reader.daemons.length === 0) {
    reader.close();
    throw new LogRefused(`No journal of node '${node}' in ${reader.dir}: ha-crm and ha-lrm write crm.db and lrm.db there once they ran (their --state-dir); under systemd also see 'journalctl -u ha-crm -u ha-lrm'`);
  }
  return { reader, node };
}

function openReadable(dir: string): NodeJournals {
  try {
    return new NodeJournals(dir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !(code.startsWith('SQLITE_') || code.startsWith('E'))) throw error;
    const isDenied = code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN';
    const cure = isDenied ? "they belong to the daemons' user: run 'ha-manager log' as root" : 'is the disk failing?';
    throw new LogRefused(`Cannot read the journals in ${dir}: ${(error as Error).message} (${code}); ${cure}`);
  }
}

/** One line of output: the daemons' own text line (ISO time, level, node/daemon), or one JSON object. */
function renderRow(row: JournalRow, node: string, format: 'text' | 'json'): string {
  let out = '';
  const sink = createLogSink({ format, node, daemon: row.daemon, isJournal: false, write: (text) => (out += text), wallMs: () => row.wallMs });
  if (row.table === 'events') {
    sink.event(row.event);
    return out;
  }
  if (format === 'json') return `${JSON.stringify({ t: row.wallMs, node, daemon: row.daemon, ev: 'blackbox', kind: row.kind, detail: row.detail })}\n`;
  const { level, text } = blackBoxWords(row.kind, row.detail);
  sink.message(level, text, row.wallMs);
  return out;
}

/** Polls until Ctrl-C (or SIGTERM, or stdout closed by a pager), then returns so the journals close. */
async function followJournals(poll: () => void): Promise<void> {
  let wake: (() => void) | undefined;
  let isStopped = false;
  const stop = () => {
    isStopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.once('error', stop); // EPIPE: `ha-manager log -f | head`
  try {
    for (let polls = 0; polls < FOLLOW_POLLS_MAX && !isStopped; polls++) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, FOLLOW_POLL_MS);
      });
      if (!isStopped) poll();
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
