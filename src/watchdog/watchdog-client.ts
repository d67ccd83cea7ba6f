/**
 * The watchdog client of a daemon (ha-crm, ha-lrm): the WatchdogPort of src/env/env.ts over the mux's
 * Unix socket.
 *
 * - `open()` connects and sends the first keepalive; `feed()` sends one byte; `close()` sends `V` and
 *   closes: a clean leave, after which the mux no longer expects this client.
 * - The calls are synchronous for the caller: bytes go to the socket's buffer and are written as soon
 *   as the event loop runs (the connect itself completes there too). A daemon that exits right after
 *   `close()` should first `await client.settled()`, or the `V` may not leave the process.
 * - **When the mux is gone** nothing succeeds silently. `open()` throws a `WatchdogClientError` at once
 *   when the socket path does not exist or is no socket. A failure seen later (connection refused or
 *   reset, the mux exited) marks the client failed: the next `feed()` or `close()` throws a
 *   `WatchdogClientError` (`reason` `'mux-gone'`), and `tryFeed()` / `tryClose()` return the same as a
 *   value. The daemon turns that into "not protected": it must stop acting as master / running services
 *   (its node is being reset by the device anyway — a mux that died without `V` leaves it armed). The
 *   one window is a feed written between the mux's death and the moment this process's event loop
 *   learns of it (one loop turn); it cannot protect anything either way, since without the mux nothing
 *   feeds the device.
 * - A feed also fails (`'mux-stuck'`) when more than `bufferedBytesMax` bytes wait unsent: the mux is
 *   not reading, so it is not counting this client as fresh.
 */
import { lstatSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import type { WatchdogPort } from '../env/env.ts';

export type WatchdogClientFailure = 'not-open' | 'mux-missing' | 'mux-gone' | 'mux-stuck';

export class WatchdogClientError extends Error {
  override name = 'WatchdogClientError';
  constructor(
    readonly reason: WatchdogClientFailure,
    message: string,
  ) {
    super(message);
  }
}

export type WatchdogClientResult = { readonly isOk: true } | { readonly isOk: false; readonly reason: WatchdogClientFailure; readonly message: string };

export type WatchdogClientState = 'closed' | 'connecting' | 'connected' | 'failed';

export interface WatchdogClientOptions {
  readonly socketPath: string;
  /** Unsent bytes tolerated before a feed fails (one per keepalive: a mux that reads nothing). */
  readonly bufferedBytesMax?: number;
}

const KEEPALIVE = 'k';
const MAGIC = 'V';
/** Default limit of unsent keepalives: at a 10 s round, ten minutes of a mux that reads nothing. */
const BUFFERED_BYTES_MAX = 64;

export class WatchdogClient implements WatchdogPort {
  private socket: Socket | undefined;
  private connectionState: WatchdogClientState = 'closed';
  private failure = '';
  private readonly bufferedBytesMax: number;

  constructor(private readonly options: WatchdogClientOptions) {
    this.bufferedBytesMax = options.bufferedBytesMax ?? BUFFERED_BYTES_MAX;
  }

  get state(): WatchdogClientState {
    return this.connectionState;
  }

  /** Connects and sends the first keepalive. Throws `WatchdogClientError` when no mux socket exists. */
  open(): void {
    if (this.connectionState === 'connecting' || this.connectionState === 'connected') {
      throw new WatchdogClientError('not-open', `Watchdog client on ${this.options.socketPath} is already open`);
    }
    this.checkSocketPath();
    const socket = createConnection(this.options.socketPath);
    this.socket = socket;
    this.connectionState = 'connecting';
    this.failure = '';
    socket.on('connect', () => {
      if (this.socket === socket && this.connectionState === 'connecting') this.connectionState = 'connected';
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(socket, error.code ?? error.message));
    socket.on('close', () => this.fail(socket, 'connection closed by the mux'));
    socket.write(KEEPALIVE);
  }

  /** Keepalive; throws `WatchdogClientError` when it cannot reach the mux. */
  feed(): void {
    const result = this.tryFeed();
    if (!result.isOk) throw new WatchdogClientError(result.reason, result.message);
  }

  tryFeed(): WatchdogClientResult {
    const problem = this.usableSocket();
    if (!problem.isOk) return problem.result;
    if (problem.socket.writableLength >= this.bufferedBytesMax) {
      return { isOk: false, reason: 'mux-stuck', message: `Watchdog mux ${this.options.socketPath} reads nothing: ${problem.socket.writableLength} bytes unsent (limit ${this.bufferedBytesMax})` };
    }
    problem.socket.write(KEEPALIVE);
    return { isOk: true };
  }

  /** Clean leave (`V`, then close); throws `WatchdogClientError` when the mux could not be told. */
  close(): void {
    const result = this.tryClose();
    if (!result.isOk) throw new WatchdogClientError(result.reason, result.message);
  }

  tryClose(): WatchdogClientResult {
    const problem = this.usableSocket();
    if (!problem.isOk) return problem.result;
    this.connectionState = 'closed';
    problem.socket.end(MAGIC);
    return { isOk: true };
  }

  /** Resolves once the connection is fully closed or failed (the `V` flushed), e.g. before exiting. */
  async settled(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || socket.closed) return;
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  }

  private usableSocket(): { isOk: true; socket: Socket } | { isOk: false; result: WatchdogClientResult } {
    const path = this.options.socketPath;
    if (this.connectionState === 'failed') return { isOk: false, result: { isOk: false, reason: 'mux-gone', message: `Watchdog mux ${path} is gone: ${this.failure}` } };
    if (this.socket === undefined || this.connectionState === 'closed') {
      return { isOk: false, result: { isOk: false, reason: 'not-open', message: `Watchdog client on ${path} is not open` } };
    }
    return { isOk: true, socket: this.socket };
  }

  private fail(socket: Socket, why: string): void {
    if (this.socket !== socket || this.connectionState === 'closed' || this.connectionState === 'failed') return;
    this.connectionState = 'failed';
    this.failure = why;
  }

  private checkSocketPath(): void {
    const path = this.options.socketPath;
    let isSocket: boolean;
    try {
      isSocket = lstatSync(path).isSocket();
    } catch (error) {
      throw new WatchdogClientError('mux-missing', `Watchdog mux socket ${path} does not exist (${(error as NodeJS.ErrnoException).code}): is ha-watchdog-mux running?`);
    }
    if (!isSocket) throw new WatchdogClientError('mux-missing', `Watchdog mux socket ${path} is not a socket`);
  }
}
