import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseSid } from '../common/sid.ts';

/**
 * The ledger of the simulated services: every start and stop of a `sim` service process, written by
 * the process itself, one JSON line per event in `<shared>/ledger/<sid-file-name>.jsonl`. Lines are
 * appended with O_APPEND in one write each (well under PIPE_BUF), so concurrent writers on one host
 * never interleave. A process killed by SIGKILL (a node reset) leaves no `stop` line; the overlap
 * checker ends its interval at the node's reset record (`<node-dir>/resets.jsonl`).
 */
export interface LedgerEntry {
  /** Wall clock of the writer in ms: comparable across nodes of one host (demo, tests). */
  readonly wallMs: number;
  /** Monotonic clock of the host in ns (CLOCK_MONOTONIC), when the writer had it. */
  readonly monoNs?: number;
  readonly node: string;
  readonly sid: string;
  readonly event: 'start' | 'stop' | 'crash';
  /** The service process; a `crash` line names the process found dead. */
  readonly pid: number;
}

/** A reset of a node, as the emulated watchdog device records it: `{wallMs, reason}` per line. */
export interface NodeReset {
  readonly node: string;
  readonly wallMs: number;
  readonly reason: string;
}

/** `vm:101` → `vm.101`: injective, since a sid type has no dot; safe as a file name. */
export function sidFileName(sid: string): string {
  const parsed = parseSid(sid);
  if (!parsed) throw new Error(`Bad argument sid: ${JSON.stringify(sid)}`);
  return `${parsed.type}.${parsed.name}`;
}

export function ledgerFileOf(ledgerDir: string, sid: string): string {
  return join(ledgerDir, `${sidFileName(sid)}.jsonl`);
}

/** Where a node's emulated watchdog finds the service processes to kill on a reset. */
export function pidFileOf(nodeDir: string, sid: string): string {
  return join(nodeDir, 'pids', `service-${sidFileName(sid)}.pid`);
}

export function resetsFileOf(nodeDir: string): string {
  return join(nodeDir, 'resets.jsonl');
}

/** Appends one line to a JSON-lines file in a single O_APPEND write, then fsyncs it. */
export function appendJsonLine(path: string, value: unknown): void {
  const fd = openSync(path, 'a', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(value)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function appendLedger(ledgerDir: string, entry: LedgerEntry): void {
  mkdirSync(ledgerDir, { recursive: true });
  appendJsonLine(ledgerFileOf(ledgerDir, entry.sid), entry);
}

/** Every entry of every ledger file in the folder, ordered by wall clock (stable per file). */
export function readLedger(ledgerDir: string): LedgerEntry[] {
  if (!existsSync(ledgerDir)) return [];
  const entries: LedgerEntry[] = [];
  for (const name of readdirSync(ledgerDir).sort()) {
    if (!name.endsWith('.jsonl')) continue;
    const path = join(ledgerDir, name);
    jsonLines(path).forEach((value, index) => entries.push(parseLedgerEntry(value, `${path} entry ${index + 1}`)));
  }
  return entries.sort((a, b) => a.wallMs - b.wallMs);
}

/** The resets recorded in each node's folder, ordered by wall clock. */
export function readResets(nodeDirs: Readonly<Record<string, string>>): NodeReset[] {
  const resets: NodeReset[] = [];
  for (const [node, nodeDir] of Object.entries(nodeDirs)) {
    const path = resetsFileOf(nodeDir);
    if (!existsSync(path)) continue;
    jsonLines(path).forEach((value, index) => {
      const { wallMs, reason } = value as Record<string, unknown>;
      if (typeof wallMs !== 'number' || typeof reason !== 'string') throw new Error(`${path} entry ${index + 1}: bad reset: ${JSON.stringify(value)}`);
      resets.push({ node, wallMs, reason });
    });
  }
  return resets.sort((a, b) => a.wallMs - b.wallMs);
}

/** Parsed lines; a last line without its newline is a write in progress and is skipped. */
function jsonLines(path: string): unknown[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop(); // '' after the last newline, or an unfinished line
  const values: unknown[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      values.push(JSON.parse(line));
    } catch {
      throw new Error(`${path}:${index + 1}: not JSON: ${JSON.stringify(line.slice(0, 80))}`);
    }
  });
  return values;
}

function parseLedgerEntry(value: unknown, where: string): LedgerEntry {
  const { wallMs, monoNs, node, sid, event, pid } = (value ?? {}) as Record<string, unknown>;
  const isValid =
    typeof wallMs === 'number' &&
    (monoNs === undefined || typeof monoNs === 'number') &&
    typeof node === 'string' &&
    typeof sid === 'string' &&
    (event === 'start' || event === 'stop' || event === 'crash') &&
    typeof pid === 'number';
  if (!isValid) throw new Error(`${where}: bad ledger line: ${JSON.stringify(value)}`);
  return { wallMs, ...(monoNs !== undefined ? { monoNs } : {}), node, sid, event, pid };
}
