/** A one-line progress bar on a terminal; a line every tenth of the way elsewhere (CI logs). */
export class ProgressBar {
  private lastTenth = -1;
  private readonly startMs = Date.now();

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream,
    private readonly width = 30,
  ) {}

  update(done: number, violations: number): void {
    const fraction = this.total === 0 ? 1 : done / this.total;
    const seconds = ((Date.now() - this.startMs) / 1000).toFixed(0);
    const filled = Math.round(fraction * this.width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${done}/${this.total} seeds, ${violations} violations, ${seconds} s`;
    if (this.out.isTTY) {
      this.out.write(`\r${line}`);
      if (done === this.total) this.out.write('\n');
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.out.write(`${line}\n`);
  }
}
