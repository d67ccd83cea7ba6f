/**
 * The emulated watchdog device: a FIFO that this process creates and reads, so that ha-watchdog-mux
 * opens and writes it like /dev/watchdog (with `--emulated`, which skips the ioctls a FIFO cannot take).
 * When keepalives stop for its timeout while armed, it "resets" the node: SIGKILL to every process
 * listed in the node run directory and one line in its resets.jsonl (convention in ./node-dir.ts).
 * The decisions are in ../core/emulator-state.ts; this file reads the FIFO and acts.
 *
 * The FIFO is read without blocking, polled every `pollMs`: simple and exact about end of file (no
 * writer), at the price of `pollMs` of resolution on the keepalive times it reports.
 */
import { assertNever } from '../../common/assert.ts';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, lstatSync, openSync, readSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  emulatorRead,
  emulatorTick,
  emulatorWriterGone,
  INITIAL_EMULATOR_STATE,
  type EmulatorEvent,
  type EmulatorState,
} from '../core/emulator-state.ts';
import { appendReset, killRegisteredProcesses } from './node-dir.ts';

export interface EmulatorOptions {
  /** The FIFO to create; the mux's `--device`. */
  readonly devicePath: string;
  readonly nodeDir: string;
  /** Reset this long after the last keepalive while armed (a real device: its timeout). */
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly log: (line: string) => void;
}

/** Figures of one emulator run, printed at exit (bench/watchdog-gap.ts reads them). */
export interface EmulatorFigures {
  readonly keepaliveCount: number;
  readonly largestGapMs: number;
  readonly resetCount: number;
  readonly pollMs: number;
}

/** Bytes read from the FIFO per poll at most: far above one second of keepalives. */
const READ_CHUNK_BYTES = 4096;

export class WatchdogEmulator {
  private state: EmulatorState = INITIAL_EMULATOR_STATE;
  private resetCount = 0;
  private readonly buffer = Buffer.alloc(READ_CHUNK_BYTES);
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly options: EmulatorOptions,
    private readonly fd: number,
  ) {
    this.timer = setInterval(() => this.poll(), options.pollMs);
  }

  /** Creates the FIFO (mode 0600) and starts reading it. A path that exists and is no FIFO is an error. */
  static start(options: EmulatorOptions): WatchdogEmulator {
    createFifo(options.devicePath);
    const fd = openSync(options.devicePath, constants.O_RDONLY | constants.O_NONBLOCK);
    options.log(`Emulated watchdog device ${options.devicePath} ready: timeout ${options.timeoutMs} ms, node dir ${options.nodeDir}`);
    return new WatchdogEmulator(options, fd);
  }

  figures(): EmulatorFigures {
    return {
      keepaliveCount: this.state.keepaliveCount,
      largestGapMs: this.state.largestGapMs,
      resetCount: this.resetCount,
      pollMs: this.options.pollMs,
    };
  }

  stop(): void {
    clearInterval(this.timer);
    closeSync(this.fd);
    rmSync(this.options.devicePath, { force: true });
  }

  private poll(): void {
    const nowMs = Math.floor(performance.now());
    for (;;) {
      const bytes = this.readChunk();
      if (bytes === 'empty') break;
      const step = bytes === 'no-writer' ? emulatorWriterGone(this.state) : emulatorRead(this.state, { data: bytes, nowMs, wallMs: Date.now() });
      this.apply(step);
      if (bytes === 'no-writer') break;
    }
    this.apply(emulatorTick(this.state, nowMs, this.options.timeoutMs));
  }

  private readChunk(): Uint8Array | 'empty' | 'no-writer' {
    try {
      const count = readSync(this.fd, this.buffer, 0, READ_CHUNK_BYTES, null);
      return count === 0 ? 'no-writer' : this.buffer.subarray(0, count);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 'empty';
      throw error;
    }
  }

  private apply(step: { state: EmulatorState; events: EmulatorEvent[] }): void {
    this.state = step.state;
    for (const event of step.events) this.handle(event);
  }

  private handle(event: EmulatorEvent): void {
    const path = this.options.devicePath;
    switch (event.kind) {
      case 'armed':
        this.options.log(`Emulated watchdog ${path}: armed`);
        return;
      case 'disarmed':
        this.options.log(`Emulated watchdog ${path}: magic close, disarmed`);
        return;
      case 'closed-without-magic':
        this.options.log(`Emulated watchdog ${path}: closed without 'V', watchdog did not stop!`);
        return;
      case 'reset': {
        const killed = killRegisteredProcesses(this.options.nodeDir);
        appendReset(this.options.nodeDir, { wallMs: Date.now(), reason: 'watchdog', lastKeepaliveWallMs: event.lastKeepaliveWallMs, killed });
        this.resetCount += 1;
        this.options.log(`Emulated watchdog ${path}: no keepalive for ${event.silentMs} ms, node reset, killed [${killed.join(', ')}]`);
        return;
      }
      default:
        assertNever(event, 'emulator event');
    }
  }
}

function createFifo(path: string): void {
  let isExisting = true;
  try {
    if (!lstatSync(path).isFIFO()) throw new Error(`Emulated device path ${path} exists and is not a FIFO: remove it or choose another --device`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    isExisting = false;
  }
  if (isExisting) return;
  const result = spawnSync('mkfifo', ['-m', '0600', path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`Cannot create FIFO ${path}: ${(result.stderr || String(result.error)).trim()}`);
}
