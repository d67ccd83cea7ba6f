/** The end of a driver call's time budget, for drivers that run several commands within one call. */
export class Deadline {
  private readonly atMs: number;
  constructor(timeoutMs: number) {
    this.atMs = Date.now() + timeoutMs;
  }
  leftMs(): number {
    return this.atMs - Date.now();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
