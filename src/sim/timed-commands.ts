import type { SimCommand } from './sim-commands.ts';

/** `after` commands pending at once; a scenario has far fewer. */
const TIMED_COMMANDS_MAX = 10_000;

/** Commands scheduled by `after`, run between daemon iterations once due, in due-time then queue order. */
export class TimedCommands {
  private readonly pending: Array<{ readonly dueMs: number; readonly order: number; readonly command: SimCommand }> = [];
  private added = 0;

  get size(): number {
    return this.pending.length;
  }

  add(dueMs: number, command: SimCommand): void {
    if (this.pending.length >= TIMED_COMMANDS_MAX) throw new Error(`More than ${TIMED_COMMANDS_MAX} pending 'after' commands`);
    this.pending.push({ dueMs, order: this.added++, command });
    this.pending.sort((a, b) => a.dueMs - b.dueMs || a.order - b.order);
  }

  takeDue(nowMs: number): SimCommand[] {
    let count = 0;
    while (count < this.pending.length && this.pending[count]!.dueMs <= nowMs) count++;
    return this.pending.splice(0, count).map((entry) => entry.command);
  }
}
