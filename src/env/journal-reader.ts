import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LogLevel, TraceEvent } from '../common/trace.ts';
import type { BlackBoxKind } from './node-journal.ts';

/**
 * Reading the node-local journals (./node-journal.ts) of a node's ha-crm and ha-lrm, for
 * `ha-manager log`: their trace events and black-box entries merged by wall time, read-only, while
 * the daemons write (WAL: a reader never blocks the writer). The rendering is the daemons' own line
 * (src/common/log-sink.ts); this module only finds, reads and orders the rows.
 */
/** `web`: the web console's own journal (web.db), which records the operators' actions taken there. */
export const JOURNAL_DAEMONS = ['crm', 'lrm', 'web'] as const;
export type JournalDaemon = (typeof JOURNAL_DAEMONS)[number];

/** Black-box kinds written every round: shown only when asked for (`--all`), or a day is 170,000 lines. */
export const ROUTINE_KINDS: readonly BlackBoxKind[] = ['renew', 'keepalive'];

export type JournalRow =
  | { readonly daemon: JournalDaemon; readonly id: number; readonly wallMs: number; readonly table: 'events'; readonly event: TraceEvent }
  | { readonly daemon: JournalDaemon; readonly id: number; readonly wallMs: number; readonly table: 'blackbox'; readonly kind: BlackBoxKind; readonly detail: string };

/** Where to resume: the last row id read, per daemon and table. */
export type JournalCursor = Record<JournalDaemon, { events: number; blackbox: number }>;

export interface ReadOptions {
  readonly sinceWallMs?: number | undefined;
  /** At most this many rows, the newest (0: no limit). */
  readonly rowsMax: number;
  readonly isRoutineShown: boolean;
}

/** The open journals of one node (one or both daemons'; a daemon that never ran has none). */
export class NodeJournals {
  private readonly dbs: Array<{ daemon: JournalDaemon; db: Database.Database }> = [];

  constructor(readonly dir: string) {
    for (const daemon of JOURNAL_DAEMONS) {
      const file = join(dir, `${daemon}.db`);
      if (!isPresent(file)) continue;
      const db = new Database(file, { readonly: true, fileMustExist: true });
      // A daemon that is starting has created the file but maybe not its tables yet: not there yet.
      if (hasJournalTables(db)) this.dbs.push({ daemon, db });
      else db.close();
    }
  }

  get daemons(): JournalDaemon[] {
    return this.dbs.map((entry) => entry.daemon);
  }

  /** The node the journals' events name (the newest event), or undefined before any event. */
  nodeName(): string | undefined {
    for (const { db } of this.dbs) {
      const row = db.prepare('SELECT event FROM events ORDER BY id DESC LIMIT 1').get() as { event: string } | undefined;
      const node = row === undefined ? undefined : (JSON.parse(row.event) as { node?: unknown }).node;
      if (typeof node === 'string') return node;
    }
    return undefined;
  }

  /** The newest rows (per ReadOptions), oldest first, and the cursor after them. */
  readLast(options: ReadOptions): { rows: JournalRow[]; cursor: JournalCursor } {
    const rows: JournalRow[] = [];
    for (const { daemon, db } of this.dbs) rows.push(...readTable(db, daemon, options, undefined));
    const ordered = sortRows(rows);
    const kept = options.rowsMax > 0 ? ordered.slice(-options.rowsMax) : ordered;
    return { rows: kept, cursor: this.cursorAfter() };
  }

  /** Rows written after `cursor`, oldest first; advances the cursor. */
  readAfter(cursor: JournalCursor, isRoutineShown: boolean): JournalRow[] {
    const rows: JournalRow[] = [];
    for (const { daemon, db } of this.dbs) {
      rows.push(...readTable(db, daemon, { rowsMax: 0, isRoutineShown }, cursor[daemon]));
      cursor[daemon] = maxIds(db);
    }
    return sortRows(rows);
  }

  close(): void {
    for (const { db } of this.dbs) db.close();
  }

  private cursorAfter(): JournalCursor {
    const cursor: JournalCursor = { crm: { events: 0, blackbox: 0 }, lrm: { events: 0, blackbox: 0 }, web: { events: 0, blackbox: 0 } };
    for (const { daemon, db } of this.dbs) cursor[daemon] = maxIds(db);
    return cursor;
  }
}

function maxIds(db: Database.Database): { events: number; blackbox: number } {
  const max = (table: string) => (db.prepare(`SELECT COALESCE(MAX(id), 0) AS id FROM ${table}`).get() as { id: number }).id;
  return { events: max('events'), blackbox: max('blackbox') };
}

function readTable(db: Database.Database, daemon: JournalDaemon, options: ReadOptions, after: { events: number; blackbox: number } | undefined): JournalRow[] {
  const since = options.sinceWallMs ?? 0;
  const limit = options.rowsMax > 0 ? options.rowsMax : -1; // SQLite: a negative LIMIT is none
  const routine = options.isRoutineShown ? '' : `AND kind NOT IN (${ROUTINE_KINDS.map((kind) => `'${kind}'`).join(', ')})`;
  const events = db
    .prepare('SELECT id, wall_ms AS wallMs, event FROM events WHERE id > ? AND wall_ms >= ? ORDER BY id DESC LIMIT ?')
    .all(after?.events ?? 0, since, limit) as Array<{ id: number; wallMs: number; event: string }>;
  const entries = db
    .prepare(`SELECT id, wall_ms AS wallMs, kind, detail FROM blackbox WHERE id > ? AND wall_ms >= ? ${routine} ORDER BY id DESC LIMIT ?`)
    .all(after?.blackbox ?? 0, since, limit) as Array<{ id: number; wallMs: number; kind: BlackBoxKind; detail: string }>;
  return [
    ...events.map((row) => ({ daemon, id: row.id, wallMs: row.wallMs, table: 'events' as const, event: JSON.parse(row.event) as TraceEvent })),
    ...entries.map((row) => ({ daemon, id: row.id, wallMs: row.wallMs, table: 'blackbox' as const, kind: row.kind, detail: row.detail })),
  ];
}

/** By wall time; within one millisecond the crm before the lrm, and each table in its own order. */
function sortRows(rows: JournalRow[]): JournalRow[] {
  return rows.sort((a, b) => a.wallMs - b.wallMs || a.daemon.localeCompare(b.daemon) || a.table.localeCompare(b.table) || a.id - b.id);
}

/** A black-box entry in words, and the level it is shown at. */
export function blackBoxWords(kind: BlackBoxKind, detail: string): { level: LogLevel; text: string } {
  const { level, text } = blackBoxWordsOf(kind, detail);
  return { level, text: detail === '' ? text.replace(/[:(]\s*\)?$/, '').trimEnd() : text };
}

function blackBoxWordsOf(kind: BlackBoxKind, detail: string): { level: LogLevel; text: string } {
  switch (kind) {
    case 'start':
      return { level: 'info', text: `daemon started (${detail})` };
    case 'exit':
      return { level: 'info', text: `daemon exited ${detail}` };
    case 'renew':
      return { level: 'info', text: `lease renewed: ${detail}` };
    case 'renew-failed':
      return { level: 'warn', text: `lease renewal failed: ${detail}` };
    case 'claim':
      return { level: 'notice', text: `watchdog: took over the previous process's registration: ${detail}` };
    case 'arm':
      return { level: 'info', text: `watchdog armed: ${detail}` };
    case 'keepalive':
      return { level: 'info', text: `watchdog keepalive: ${detail}` };
    case 'hand-over':
      return { level: 'notice', text: `watchdog registration handed over to the next process: ${detail}` };
    case 'disarm':
      return { level: 'info', text: `watchdog disarmed: ${detail}` };
    case 'adopt':
      return { level: 'notice', text: `agent lock adoption: ${detail}` };
    case 'watchdog-failed':
      return { level: 'err', text: `watchdog client failed: ${detail}` };
    case 'lease-lost':
      return { level: 'notice', text: `lock given up: ${detail}` };
    case 'fenced-published':
      return { level: 'notice', text: `published why this node was fenced: ${detail}` };
    case 'operator-action':
      return { level: 'notice', text: `operator action: ${detail}` };
  }
}

/** Where `node`'s journals are, or why they cannot be read from here. */
export type JournalPlace = { readonly kind: 'found'; readonly dir: string } | { readonly kind: 'elsewhere'; readonly message: string };

/**
 * Finds the state directory of `node` from the one given: that directory itself (this node's); in a
 * local cluster (src/cluster/local-cluster.ts: `<root>/local/<node>/state`) also its siblings, and the
 * cluster's run directory given as the state directory. Any other node's journals are on that node.
 */
export function locateJournals(stateDir: string, node: string, nodeHere: string | undefined): JournalPlace {
  const inCluster = join(stateDir, 'local', node, 'state');
  if (isDirectory(inCluster)) return { kind: 'found', dir: inCluster };
  if (nodeHere === undefined || nodeHere === node) return { kind: 'found', dir: stateDir };
  const sibling = join(dirname(dirname(stateDir)), node, 'state');
  if (basename(stateDir) === 'state' && basename(dirname(stateDir)) === nodeHere && isDirectory(sibling)) return { kind: 'found', dir: sibling };
  return {
    kind: 'elsewhere',
    message:
      `${stateDir} holds the journals of node '${nodeHere}', not '${node}': journals are node-local. ` +
      `Run 'ha-manager log' on ${node}, or read its daemons' journald there ('journalctl -u ha-crm -u ha-lrm'); ` +
      `for a local cluster, give its run directory: --state-dir <root>`,
  };
}

/** False when `file` does not exist; throws what else stat says (EACCES: the reader may not look). */
function isPresent(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false;
    throw error;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function hasJournalTables(db: Database.Database): boolean {
  const row = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'blackbox')").get() as { n: number };
  return row.n === 2;
}
