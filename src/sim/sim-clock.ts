/**
 * A node's monotonic clock, which may run a little fast or slow (clock drift, in permille of real
 * time). Without drift it reads the simulated time itself, so the reference model is unchanged.
 */

/** The rate may change a few times per run; a rate change costs one segment. */
const SEGMENTS_MAX = 256;

interface Segment {
  /** Simulated time at which this rate took effect. */
  readonly fromMs: number;
  /** The node's clock at `fromMs`. */
  readonly ownMs: number;
  readonly driftPermille: number;
}

export class SimClock {
  private readonly segments: Segment[] = [];

  get driftPermille(): number {
    return this.segments.at(-1)?.driftPermille ?? 0;
  }

  /** The node's clock reading at simulated time `timeMs` (any time, past or present). */
  at(timeMs: number): number {
    for (let index = this.segments.length - 1; index >= 0; index--) {
      const segment = this.segments[index]!;
      if (segment.fromMs > timeMs) continue;
      return segment.ownMs + Math.floor(((timeMs - segment.fromMs) * (1000 + segment.driftPermille)) / 1000);
    }
    return timeMs;
  }

  /** From `timeMs` on, the clock runs `driftPermille`/1000 fast (negative: slow). */
  setDrift(timeMs: number, driftPermille: number): void {
    if (driftPermille === this.driftPermille) return;
    if (this.segments.length >= SEGMENTS_MAX) throw new Error(`Clock drift changed more than ${SEGMENTS_MAX} times`);
    this.segments.push({ fromMs: timeMs, ownMs: this.at(timeMs), driftPermille });
  }
}
