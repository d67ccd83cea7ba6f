import { assert } from '../common/assert.ts';
import { STORE_HISTORY_MS } from './sim-faults.ts';

/** Writes are at most one per daemon iteration; the time horizon keeps far fewer than this. */
const ENTRIES_MAX = 4096;

/**
 * The versions of one status file over the last STORE_HISTORY_MS, so that a node with stale reads
 * can be shown the file as it was a while ago. Writes replace the whole file (temp, fsync, rename):
 * every version is complete.
 */
export class StatusHistory<T> {
  private readonly entries: Array<{ readonly writtenMs: number; readonly value: T }> = [];

  /**
   * @param isKept false for runs that never read stale (no `stale` command): then no version is
   *   kept, which spares the garbage collector a minute of every status file (5,000 services each).
   */
  constructor(private readonly isKept = true) {}

  write(writtenMs: number, value: T): void {
    if (!this.isKept) return;
    this.entries.push({ writtenMs, value });
    const horizonMs = writtenMs - STORE_HISTORY_MS;
    let drop = 0;
    while (drop + 1 < this.entries.length && this.entries[drop + 1]!.writtenMs <= horizonMs) drop++;
    if (drop > 0) this.entries.splice(0, drop);
    if (this.entries.length > ENTRIES_MAX) throw new Error(`Status history holds ${this.entries.length} versions, limit ${ENTRIES_MAX}`);
  }

  /** The version current at `timeMs`; `initial` when the file did not exist yet. */
  readAt(timeMs: number, initial: T): T {
    assert(this.isKept, 'A stale read from a run that keeps no status history');
    for (let index = this.entries.length - 1; index >= 0; index--) {
      const entry = this.entries[index]!;
      if (entry.writtenMs <= timeMs) return entry.value;
    }
    return initial;
  }
}
