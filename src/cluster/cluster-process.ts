import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's bin/ folder. */
export const BIN_DIR = fileURLToPath(new URL('../../bin/', import.meta.url));

/**
 * One process the local cluster started (an emulator, a mux, a daemon), with its exit as a promise.
 * Output goes to a log file; an emulator's stdout is kept in memory (its `ready` line and figures).
 */
export class ClusterProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stdout = '';

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    /** Where its output goes, and how long that log was when it started (its own lines follow). */
    readonly log: { readonly file: string; readonly startBytes: number },
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString('utf8');
    });
  }

  /** Starts `bin/<program>` with node, output to `logFile` (stdout kept when `keepStdout`). */
  static start(name: string, program: string, args: readonly string[], options: { logFile: string; keepStdout?: boolean; env?: NodeJS.ProcessEnv }): ClusterProcess {
    const log = openSync(options.logFile, 'a');
    try {
      const startBytes = fstatSync(log).size;
      const child = spawn(process.execPath, [`${BIN_DIR}${program}`, ...args], {
        stdio: ['ignore', options.keepStdout ? 'pipe' : log, log],
        env: options.env ?? process.env,
      });
      return new ClusterProcess(name, child, { file: options.logFile, startBytes });
    } finally {
      closeSync(log);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  signal(name: NodeJS.Signals): void {
    if (this.isRunning) this.child.kill(name);
  }

  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.isRunning) return;
    this.signal(signal);
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Has this process (not an earlier one writing the same log) logged `text` in its first `bytesMax` bytes of output? */
  hasLoggedEarly(text: string, bytesMax = 1 << 16): boolean {
    let fd: number;
    try {
      fd = openSync(this.log.file, 'r');
    } catch {
      return false;
    }
    try {
      const lengthBytes = Math.min(bytesMax, fstatSync(fd).size - this.log.startBytes);
      const buffer = Buffer.alloc(Math.max(0, lengthBytes));
      readSync(fd, buffer, 0, buffer.length, this.log.startBytes);
      return buffer.toString('utf8').includes(text);
    } finally {
      closeSync(fd);
    }
  }

  /** Resolves when stdout holds `text`; rejects after `timeoutMs` or when the process exits first. */
  async waitForStdout(text: string, timeoutMs: number): Promise<void> {
    await pollUntil(`${this.name} to print '${text}'`, timeoutMs, () => {
      if (this.stdout.includes(text)) return true;
      if (!this.isRunning) throw new Error(`${this.name} exited (${JSON.stringify(this.exitInfo)}) before printing '${text}'`);
      return false;
    });
  }
}

/** Polls `isDone` every `pollMs` until true; throws a one-line error naming `what` after `timeoutMs`. */
export async function pollUntil(what: string, timeoutMs: number, isDone: () => boolean, pollMs = 50): Promise<number> {
  const startMs = Date.now();
  for (;;) {
    if (isDone()) return Date.now() - startMs;
    if (Date.now() - startMs > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
