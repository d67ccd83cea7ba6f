import type { SimCommand } from './sim-commands.ts';

/** The run ends at the first free command slot this long after the last batch. */
export const END_AFTER_LAST_BATCH_MS = 500_000;

/**
 * Where a run's batches come from, one call per command slot: the scenario's `cmdlist`, or a session
 * that records an operator's actions into the batches it hands out (src/sim/sim-session.ts).
 * Undefined: no batch is left for this slot.
 */
export interface BatchSource {
  next(): readonly SimCommand[] | undefined;
}

/** The scenario's batches in order, each handed out once. */
export function listedBatches(batches: readonly (readonly SimCommand[])[]): BatchSource {
  let index = 0;
  return { next: () => batches[index++] };
}

/**
 * The command slots of a run (conformance README §4.2): after a round, unless a `delay` holds the
 * batches back, every `roundsPerSlot`-th counted round is a slot; the next batch runs there, and a
 * slot with none left more than 500 s after the last batch ends the run. And `skip-round`'s count.
 */
export class CommandSlots {
  private countedRounds = 0;
  private nextBatchAtMs = 0;
  /** When a command of a batch last ran: the end of the run is counted from it. */
  private lastBatchMs = 0;
  /** `skip-round`: rounds left that run no CRM (LRM) iteration. */
  private readonly skipRounds = { crm: 0, lrm: 0 };

  constructor(
    private readonly source: BatchSource,
    private readonly roundsPerSlot: number,
  ) {}

  /** After a round that ended at `nowMs`: the batch to run now (maybe empty), or 'end'. */
  afterRound(nowMs: number): readonly SimCommand[] | 'end' {
    if (nowMs < this.nextBatchAtMs) return [];
    const isSlot = this.countedRounds % this.roundsPerSlot === 0;
    this.countedRounds++;
    if (!isSlot) return [];
    const batch = this.source.next();
    if (!batch && nowMs - this.lastBatchMs > END_AFTER_LAST_BATCH_MS) return 'end';
    return batch ?? [];
  }

  /** A command of a batch ran at `atMs`. */
  commandRan(atMs: number): void {
    this.lastBatchMs = Math.max(this.lastBatchMs, atMs);
  }

  /** `skip-round crm|lrm <n>`: the next n rounds run no such iteration. */
  skip(daemon: 'crm' | 'lrm', rounds: number): void {
    this.skipRounds[daemon] = rounds;
  }

  isSkipping(daemon: 'crm' | 'lrm'): boolean {
    return this.skipRounds[daemon] > 0;
  }

  /** A round is over: one skipped round less. */
  roundEnded(): void {
    if (this.skipRounds.crm > 0) this.skipRounds.crm--;
    if (this.skipRounds.lrm > 0) this.skipRounds.lrm--;
  }

  /** `delay <seconds>`: no slot before `atMs`. */
  holdUntil(atMs: number): void {
    this.nextBatchAtMs = atMs;
  }
}
