import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { sharedPaths } from './shared-dir.ts';

/**
 * The CRM command queue of a shared directory (docs/shared-dir.md): one command per file
 * `commands/<seq>.<node>.<pid>.cmd`, `<seq>` = wall-clock ms padded to 15 digits, `-`, a 4-digit
 * counter, so that names sort in queue order. The master takes them in name order.
 */

/** The counter of one process wraps here; a CLI call queues one command, a daemon a handful per ms. */
const COUNTER_MODULUS = 10_000;
/** The master takes at most this many commands in one round; the rest wait for the next round. */
export const COMMANDS_PER_TAKE_MAX = 1000;

let counter = 0;

/** Queues one command line (e.g. `migrate vm:101 node2`); returns the file name. */
export function enqueueCommand(sharedDir: string, line: string, options: { wallMs?: number } = {}): string {
  const wallMs = options.wallMs ?? Date.now();
  if (/[\r\n]/.test(line) || line.trim() === '') throw new Error(`Bad command line ${JSON.stringify(line)}: one non-empty line expected`);
  const dir = sharedPaths(sharedDir).commands;
  mkdirSync(dir, { recursive: true });
  const seq = `${String(wallMs).padStart(15, '0')}-${String(counter++ % COUNTER_MODULUS).padStart(4, '0')}`;
  const name = `${seq}.${hostname()}.${process.pid}.cmd`;
  writeFileAtomic(join(dir, name), `${line}\n`);
  return name;
}

/** The queued command files, oldest first (temp files of writers in progress are not listed). */
export function listQueuedCommands(sharedDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(sharedPaths(sharedDir).commands);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => name.endsWith('.cmd') && !name.startsWith('.')).sort();
}

/** Reads and deletes up to COMMANDS_PER_TAKE_MAX queued commands, oldest first (for the master). */
export function takeQueuedCommands(sharedDir: string): string[] {
  const dir = sharedPaths(sharedDir).commands;
  const lines: string[] = [];
  for (const name of listQueuedCommands(sharedDir).slice(0, COMMANDS_PER_TAKE_MAX)) {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // Taken by a master that lost its lease meanwhile.
      throw error;
    }
    lines.push(text.trim());
  }
  return lines;
}

/** A queued command as `ha-manager status` shows it: the line and when it was queued (wall clock). */
export interface QueuedCommand {
  readonly line: string;
  readonly queuedWallMs: number;
}

/**
 * The queued commands, oldest first, at most COMMANDS_PER_TAKE_MAX (what one master round takes);
 * read only. A file the master takes between the listing and the read is skipped.
 */
export function readQueuedCommands(sharedDir: string): QueuedCommand[] {
  const dir = sharedPaths(sharedDir).commands;
  const queued: QueuedCommand[] = [];
  for (const name of listQueuedCommands(sharedDir).slice(0, COMMANDS_PER_TAKE_MAX)) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    queued.push({ line: text.trim(), queuedWallMs: Number(name.slice(0, 15)) });
  }
  return queued;
}
