import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { assert } from '../common/assert.ts';

/**
 * The node-local journal of one daemon (DESIGN.md "Node-local state"): a SQLite database on the
 * node's own disk (better-sqlite3, WAL, synchronous=FULL) with
 * - `blackbox`: every lease renewal, watchdog claim, arm, keepalive, hand-over and disarm, adopted or
 *   lost lease, start and exit —
 *   what the node says about itself after a reset;
 * - `events`: the trace events of the daemon (the vocabulary of src/common/trace.ts);
 * - `actions`: the LRM's service actions (started, finished with their result).
 *
 * Writes are buffered in memory and written by `flush()` in one `BEGIN IMMEDIATE` transaction, which
 * the daemon loop calls after the round, once the watchdog has been fed: SQLite never sits between a
 * renewal and its keepalive. Each daemon has its own file, so the two daemons of a node never wait for
 * each other's locks.
 */
export type BlackBoxKind =
  | 'start'
  | 'renew'
  | 'renew-failed'
  | 'claim'
  | 'arm'
  | 'keepalive'
  | 'hand-over'
  | 'disarm'
  | 'adopt'
  | 'watchdog-failed'
  | 'lease-lost'
  | 'exit'
  | 'fenced-published'
  /** An operator's action through the web console (who, what, the outcome): src/web/cluster-actions.ts. */
  | 'operator-action';

export interface BlackBoxEntry {
  readonly wallMs: number;
  readonly monoMs: number;
  readonly kind: BlackBoxKind;
  readonly detail: string;
}

/** Rows kept per table: about a day of one-second rounds; older rows are pruned at flush. */
export const JOURNAL_ROWS_MAX = 100_000;
/** Entries buffered while flushes fail (locked or failing file); beyond it the oldest are dropped. */
export const JOURNAL_BUFFER_MAX = 10_000;
/** How long a flush waits for a lock (another process reading the file, e.g. `sqlite3`). */
const BUSY_TIMEOUT_MS = 200;
/** Prune once every this many flushes: deleting is the slow part. */
const PRUNE_EVERY_FLUSHES = 600;

type Row =
  | { table: 'blackbox'; entry: BlackBoxEntry }
  | { table: 'events'; wallMs: number; monoMs: number; event: string }
  | { table: 'actions'; wallMs: number; sid: string; uid: string; request: string; phase: 'started' | 'finished'; detail: string };

export class NodeJournal {
  private readonly db: Database.Database;
  private buffer: Row[] = [];
  private flushes = 0;
  private readonly insert: Record<Row['table'], Database.Statement>;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS blackbox (id INTEGER PRIMARY KEY, wall_ms INTEGER NOT NULL, mono_ms INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, wall_ms INTEGER NOT NULL, mono_ms INTEGER NOT NULL, event TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS actions (id INTEGER PRIMARY KEY, wall_ms INTEGER NOT NULL, sid TEXT NOT NULL, uid TEXT NOT NULL, request TEXT NOT NULL, phase TEXT NOT NULL, detail TEXT NOT NULL);
    `);
    this.insert = {
      blackbox: this.db.prepare('INSERT INTO blackbox (wall_ms, mono_ms, kind, detail) VALUES (?, ?, ?, ?)'),
      events: this.db.prepare('INSERT INTO events (wall_ms, mono_ms, event) VALUES (?, ?, ?)'),
      actions: this.db.prepare('INSERT INTO actions (wall_ms, sid, uid, request, phase, detail) VALUES (?, ?, ?, ?, ?, ?)'),
    };
  }

  record(entry: BlackBoxEntry): void {
    this.push({ table: 'blackbox', entry });
  }

  recordEvent(wallMs: number, monoMs: number, event: unknown): void {
    this.push({ table: 'events', wallMs, monoMs, event: JSON.stringify(event) });
  }

  recordAction(row: { wallMs: number; sid: string; uid: string | undefined; request: string; phase: 'started' | 'finished'; detail: string }): void {
    this.push({ table: 'actions', ...row, uid: row.uid ?? '' });
  }

  /** Writes the buffered rows in one transaction; false (rows kept) when the file is locked or failing. */
  flush(): boolean {
    if (this.buffer.length === 0) return true;
    const rows = this.buffer;
    try {
      this.db.transaction(() => {
        for (const row of rows) this.insertRow(row);
      }).immediate();
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_') !== true) throw error;
      return false;
    }
    this.buffer = [];
    if (++this.flushes % PRUNE_EVERY_FLUSHES === 0) this.prune();
    return true;
  }

  /** The last `count` black-box entries, oldest first (includes unflushed ones). */
  lastBlackBox(count: number): BlackBoxEntry[] {
    const rows = this.db
      .prepare('SELECT wall_ms AS wallMs, mono_ms AS monoMs, kind, detail FROM blackbox ORDER BY id DESC LIMIT ?')
      .all(count) as BlackBoxEntry[];
    const pending = this.buffer.flatMap((row) => (row.table === 'blackbox' ? [row.entry] : []));
    return [...rows.reverse(), ...pending].slice(-count);
  }

  /** Trace events as stored, oldest first. */
  events(): unknown[] {
    const rows = this.db.prepare('SELECT event FROM events ORDER BY id').all() as Array<{ event: string }>;
    return rows.map((row) => JSON.parse(row.event) as unknown);
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  /** Rows dropped because the buffer was full (the file stayed locked or failing); reported by the daemon. */
  droppedRows = 0;

  private push(row: Row): void {
    if (this.buffer.length >= JOURNAL_BUFFER_MAX) {
      this.buffer.shift();
      this.droppedRows++;
    }
    this.buffer.push(row);
    assert(this.buffer.length <= JOURNAL_BUFFER_MAX, `Journal ${this.file}: ${this.buffer.length} rows buffered (limit ${JOURNAL_BUFFER_MAX})`);
  }

  private insertRow(row: Row): void {
    switch (row.table) {
      case 'blackbox':
        this.insert.blackbox.run(row.entry.wallMs, row.entry.monoMs, row.entry.kind, row.entry.detail);
        return;
      case 'events':
        this.insert.events.run(row.wallMs, row.monoMs, row.event);
        return;
      case 'actions':
        this.insert.actions.run(row.wallMs, row.sid, row.uid, row.request, row.phase, row.detail);
        return;
    }
  }

  private prune(): void {
    this.db.transaction(() => {
      for (const table of ['blackbox', 'events', 'actions']) {
        this.db.prepare(`DELETE FROM ${table} WHERE id <= (SELECT MAX(id) FROM ${table}) - ?`).run(JOURNAL_ROWS_MAX);
      }
    }).immediate();
  }
}
