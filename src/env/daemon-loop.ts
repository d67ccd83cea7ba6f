import type { RoundVerdict } from './env.ts';

/**
 * The real-time loop of a daemon: one round of the core, then the after-round work (journal flush),
 * then a sleep until the next round is due. `wake()` (a job finished, a stop was asked) runs the next
 * round early, but never sooner than `wakeMinMs` after the last one started.
 */
export class DaemonLoop {
  private wakeUp: (() => void) | undefined;
  private isWakeRequested = false;
  /** Rounds run so far, and the longest one (ms), for the figures. */
  rounds = 0;
  longestRoundMs = 0;

  constructor(
    private readonly options: {
      readonly roundMs: number;
      readonly wakeMinMs: number;
      readonly nowMs: () => number;
      readonly round: () => RoundVerdict;
      readonly afterRound: () => void;
      /** A safety net against a loop that never ends: the daemon exits after this many rounds. */
      readonly roundsMax: number;
    },
  ) {}

  wake(): void {
    this.isWakeRequested = true;
    this.wakeUp?.();
  }

  /** Runs rounds until one says 'exit'. */
  async run(): Promise<void> {
    const { roundMs, wakeMinMs, nowMs } = this.options;
    while (this.rounds < this.options.roundsMax) {
      const startMs = nowMs();
      this.isWakeRequested = false;
      const verdict = this.options.round();
      this.options.afterRound();
      this.rounds++;
      this.longestRoundMs = Math.max(this.longestRoundMs, nowMs() - startMs);
      if (verdict === 'exit') return;
      await this.sleepUntil(startMs + wakeMinMs, startMs + roundMs);
    }
    throw new Error(`Daemon loop ran ${this.rounds} rounds (limit ${this.options.roundsMax})`);
  }

  private async sleepUntil(earliestMs: number, dueMs: number): Promise<void> {
    const { nowMs } = this.options;
    await sleep(Math.max(0, earliestMs - nowMs()));
    if (this.isWakeRequested) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, dueMs - nowMs()));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
