import { eventWords, levelOfEvent } from './event-words.ts';
import type { LogLevel, TraceEvent } from './trace.ts';

/**
 * How a daemon writes its log to stderr (the journal under systemd):
 * - `text` (default): one human line per event (./event-words.ts), `node1/crm: got lock '…'`. When
 *   stderr is the journal (systemd sets `JOURNAL_STREAM`), the line starts with the syslog priority
 *   (`<6>`), which journald files and strips, and carries no time: journald stamps it. Otherwise an ISO
 *   time and the level come first.
 * - `json`: one JSON object per line for machines, the trace event as the journal stores it plus the
 *   daemon's name: `{"t":…,"node":"node1","daemon":"crm","ev":"lock",…}`; a message that is no
 *   trace event is `"ev":"log"` with its level, as in the trace vocabulary.
 */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A problem sentence for a bad `--log-format`, or undefined when the value is one of LOG_FORMATS. */
export function logFormatProblem(value: string): string | undefined {
  return (LOG_FORMATS as readonly string[]).includes(value) ? undefined : `Bad --log-format ${JSON.stringify(value)}: expected ${LOG_FORMATS.join(' or ')}`;
}

export interface LogSinkOptions {
  readonly format: LogFormat;
  /** The node, or null for a process that serves no one node's logic (the watchdog mux). */
  readonly node: string | null;
  /** `crm`, `lrm`, `watchdog-mux`, `watchdog-emulator`. */
  readonly daemon: string;
  /** True when stderr is the journal: `JOURNAL_STREAM` is set (see isJournalStream). */
  readonly isJournal: boolean;
  readonly write: (text: string) => void;
  readonly wallMs: () => number;
}

export interface LogSink {
  /** One trace event of this daemon. */
  event(event: TraceEvent): void;
  /** A message that is no trace event (start-up problems, the exit figures); `wallMs` default now. */
  message(level: LogLevel, text: string, wallMs?: number): void;
}

/** Syslog priorities (sd-daemon(3) prefixes) of the trace vocabulary's levels. */
const PRIORITY: Record<LogLevel, number> = { err: 3, warn: 4, notice: 5, info: 6 };

/**
 * True when stderr is the journal: systemd sets `JOURNAL_STREAM=<device>:<inode>` for a unit whose
 * output goes there. (Its own check compares the pair with stderr's fstat; a daemon's stderr under the
 * units of systemd/ is always the journal when the variable is set, so the variable is enough.)
 */
export function isJournalStream(env: Readonly<Record<string, string | undefined>>): boolean {
  return /^\d+:\d+$/.test(env.JOURNAL_STREAM ?? '');
}

export function createLogSink(options: LogSinkOptions): LogSink {
  const who = options.node === null ? options.daemon : `${options.node}/${options.daemon}`;
  const line = (level: LogLevel, text: string, wallMs: number) => {
    // One event is one line: a message that spans lines (a usage text) is kept on one.
    const flat = text.replace(/\s*\n\s*/g, ' ');
    if (options.isJournal) return `<${PRIORITY[level]}>${flat}\n`;
    return `${new Date(wallMs).toISOString()} ${level.padEnd(6)} ${flat}\n`;
  };
  return {
    event(event) {
      if (options.format === 'json') return options.write(`${JSON.stringify({ t: event.t, node: event.node, daemon: options.daemon, ...withoutStamp(event) })}\n`);
      options.write(line(levelOfEvent(event), `${who}: ${eventWords(event)}`, event.t));
    },
    message(level, text, at) {
      const wallMs = at ?? options.wallMs();
      if (options.format === 'json') return options.write(`${JSON.stringify({ t: wallMs, node: options.node, daemon: options.daemon, ev: 'log', level, msg: text })}\n`);
      options.write(line(level, `${who}: ${text}`, wallMs));
    },
  };
}

function withoutStamp(event: TraceEvent): Omit<TraceEvent, 't' | 'node'> {
  const { t: _t, node: _node, ...body } = event;
  return body;
}
