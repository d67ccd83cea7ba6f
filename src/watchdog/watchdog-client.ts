/**
 * The watchdog client of a daemon (ha-crm, ha-lrm): one registration with the mux over its Unix socket,
 * in protocol v2 (./core/mux-protocol.ts).
 *
 * - `register()`, once at daemon start, async: connects, says hello (the LRM asking to claim), and
 *   waits for the reply (at most `REPLY_WAIT_MS`). It returns the device's actual timeout, the mux's
 *   ceiling and, when the previous process of this daemon left its registration armed, the claim: the
 *   connection then stays attached to it and `feed()` keeps it alive. With nothing claimed the
 *   connection is closed cleanly (an unarmed registration leaving is harmless).
 * - `open()` connects, sends the hello and the first keepalive; `feed()` sends `k`; `close()` sends `V`
 *   and closes: a clean leave; `handOver()` sends `H` and closes: the registration stays armed for the
 *   next process of the daemon to claim.
 * - The calls but `register()` are synchronous for the caller: bytes go to the socket's buffer and are
 *   written as soon as the event loop runs (the connect itself completes there too). A daemon that
 *   exits right after `close()` or `handOver()` should first `await client.settled()`, or the last byte
 *   may not leave the process.
 * - **When the mux is gone or says no**, nothing succeeds silently. `open()` throws a
 *   `WatchdogClientError` at once when the socket path does not exist or is no socket. A failure seen
 *   later (connection refused or reset, the mux exited, the hello refused: `'mux-refused'`) marks the
 *   client failed: the next `feed()`, `close()` or `handOver()` throws a `WatchdogClientError`, and the
 *   `try…` variants return the same as a value. The daemon turns that into "not protected": it must stop
 *   acting as master / running services (its node is being reset by the device anyway — a mux that died
 *   without `V` leaves it armed). The one window is a feed written between the mux's death and the
 *   moment this process's event loop learns of it (one loop turn); it cannot protect anything either
 *   way, since without the mux nothing feeds the device.
 * - A feed also fails (`'mux-stuck'`) when more than `bufferedBytesMax` bytes wait unsent: the mux is
 *   not reading, so it is not counting this client as fresh.
 */
import { lstatSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { helloLine, isLineProblem, LINE_BYTES_MAX, parseReply, type HelloReply, type LineProblem } from './core/mux-protocol.ts';

export type WatchdogClientFailure = 'not-open' | 'mux-missing' | 'mux-gone' | 'mux-stuck' | 'mux-refused';

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
  /** The registration's name: `crm`, `lrm`. */
  readonly daemon: string;
  /** This daemon's watchdog timeout (ha.cfg), announced in the hello. */
  readonly timeoutMs: number;
  /** Default: this process. */
  readonly pid?: number;
  /** Unsent bytes tolerated before a feed fails (one per keepalive: a mux that reads nothing). */
  readonly bufferedBytesMax?: number;
  /** Monotonic clock in integer ms (the daemon's). */
  readonly nowMs?: () => number;
}

/** What `register()` found. */
export interface WatchdogRegistration {
  /**
   * The registration the previous process of this daemon left armed, now this client's: its last
   * keepalive was at most `keepaliveAgeMs + (now − sinceMs)` ago at any later `now` of this client's clock.
   */
  readonly claimed: { readonly keepaliveAgeMs: number; readonly sinceMs: number } | undefined;
  readonly deviceTimeoutMs: number;
  readonly clientTimeoutMsMax: number;
}

const KEEPALIVE = 'k';
const MAGIC = 'V';
const HAND_OVER = 'H';
/** Default limit of unsent keepalives: at a 10 s round, ten minutes of a mux that reads nothing. */
const BUFFERED_BYTES_MAX = 64;
/** The mux answers a hello at once; one that takes longer than this on a loaded node is stuck. */
export const REPLY_WAIT_MS = 10_000;

export class WatchdogClient {
  private socket: Socket | undefined;
  private connectionState: WatchdogClientState = 'closed';
  private failure: { reason: WatchdogClientFailure; why: string } | undefined;
  private readonly bufferedBytesMax: number;
  private readonly nowMs: () => number;
  private helloBytes = 0;

  constructor(private readonly options: WatchdogClientOptions) {
    this.bufferedBytesMax = options.bufferedBytesMax ?? BUFFERED_BYTES_MAX;
    this.nowMs = options.nowMs ?? (() => Math.floor(performance.now()));
  }

  get state(): WatchdogClientState {
    return this.connectionState;
  }

  /** Hello and its reply, once at daemon start; throws `WatchdogClientError` when the mux is missing, silent or says no. */
  async register(options: { isClaiming: boolean; replyWaitMs?: number }): Promise<WatchdogRegistration> {
    const sinceMs = this.nowMs();
    const waitMs = options.replyWaitMs ?? REPLY_WAIT_MS;
    this.checkSocketPath();
    const reply = await new Promise<HelloReply | LineProblem>((resolve) => {
      const timer = setTimeout(() => resolve({ problem: `no reply within ${waitMs} ms` }), waitMs);
      this.connect(options.isClaiming, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
    const path = this.options.socketPath;
    if (isLineProblem(reply) || !reply.accepted || this.connectionState === 'failed') {
      const why = isLineProblem(reply) ? reply.problem : reply.accepted ? (this.failure?.why ?? 'connection failed') : `refused: ${reply.reason}`;
      this.socket?.destroy();
      this.connectionState = 'failed';
      throw new WatchdogClientError(isLineProblem(reply) || reply.accepted ? 'mux-gone' : 'mux-refused', `Watchdog mux ${path}: ${this.options.daemon} could not register: ${why}`);
    }
    const facts = { deviceTimeoutMs: reply.deviceTimeoutMs, clientTimeoutMsMax: reply.clientTimeoutMsMax };
    if (reply.claimed) return { claimed: { keepaliveAgeMs: reply.keepaliveAgeMs ?? 0, sinceMs }, ...facts };
    this.tryClose();
    await this.settled();
    return { claimed: undefined, ...facts };
  }

  /** Connects, says hello and sends the first keepalive. Throws `WatchdogClientError` when no mux socket exists. */
  open(): void {
    this.connect(false, (reply) => {
      if (isLineProblem(reply)) this.fail(this.socket, 'mux-gone', reply.problem);
      else if (!reply.accepted) this.fail(this.socket, 'mux-refused', `refused: ${reply.reason}`);
    });
    this.socket!.write(KEEPALIVE);
  }

  /** Keepalive; throws `WatchdogClientError` when it cannot reach the mux. */
  feed(): void {
    const result = this.tryFeed();
    if (!result.isOk) throw new WatchdogClientError(result.reason, result.message);
  }

  tryFeed(): WatchdogClientResult {
    const problem = this.usableSocket();
    if (!problem.isOk) return problem.result;
    // The hello line may still wait in the buffer too (before the connect completes): it does not count.
    const unsentBytes = Math.max(0, problem.socket.writableLength - this.helloBytes);
    if (unsentBytes >= this.bufferedBytesMax) {
      return { isOk: false, reason: 'mux-stuck', message: `Watchdog mux ${this.options.socketPath} reads nothing: ${unsentBytes} bytes unsent (limit ${this.bufferedBytesMax})` };
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
    return this.leave(MAGIC);
  }

  /** Planned hand-over (`H`, then close): the registration stays armed for the next process of this daemon. */
  handOver(): void {
    const result = this.tryHandOver();
    if (!result.isOk) throw new WatchdogClientError(result.reason, result.message);
  }

  tryHandOver(): WatchdogClientResult {
    return this.leave(HAND_OVER);
  }

  /** Resolves once the connection is fully closed or failed (the last byte flushed), e.g. before exiting. */
  async settled(): Promise<void> {
    if (this.socket !== undefined) await this.settledOnce(this.socket);
  }

  private async settledOnce(socket: Socket): Promise<void> {
    if (socket.closed) return;
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  }

  private leave(lastByte: string): WatchdogClientResult {
    const problem = this.usableSocket();
    if (!problem.isOk) return problem.result;
    this.connectionState = 'closed';
    problem.socket.end(lastByte);
    return { isOk: true };
  }

  /** A new connection with its hello written; `onReply` gets the mux's reply line (or why there is none). */
  private connect(isClaiming: boolean, onReply: (reply: HelloReply | LineProblem) => void): Socket {
    if (this.connectionState === 'connecting' || this.connectionState === 'connected') {
      throw new WatchdogClientError('not-open', `Watchdog client on ${this.options.socketPath} is already open`);
    }
    this.checkSocketPath();
    const socket = createConnection(this.options.socketPath);
    this.socket = socket;
    this.connectionState = 'connecting';
    this.failure = undefined;
    let line = '';
    let isAnswered = false;
    const answer = (reply: HelloReply | LineProblem) => {
      if (isAnswered) return;
      isAnswered = true;
      onReply(reply);
    };
    socket.on('connect', () => {
      if (this.socket === socket && this.connectionState === 'connecting') this.connectionState = 'connected';
    });
    socket.on('data', (data: Buffer) => {
      if (isAnswered) return;
      line += data.toString('utf8');
      const newline = line.indexOf('\n');
      if (newline !== -1) answer(parseReply(line.slice(0, newline)));
      else if (line.length > LINE_BYTES_MAX) answer({ problem: `reply longer than ${LINE_BYTES_MAX} bytes` });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(socket, 'mux-gone', socketErrorWhy(error)));
    socket.on('close', () => {
      this.fail(socket, 'mux-gone', 'connection closed by the mux');
      answer({ problem: this.failure?.why ?? 'connection closed' });
    });
    const hello = helloLine({ daemon: this.options.daemon, timeoutMs: this.options.timeoutMs, pid: this.options.pid ?? process.pid, isClaiming });
    this.helloBytes = Buffer.byteLength(hello);
    socket.write(hello);
    return socket;
  }

  private usableSocket(): { isOk: true; socket: Socket } | { isOk: false; result: WatchdogClientResult } {
    const path = this.options.socketPath;
    if (this.connectionState === 'failed') {
      const reason = this.failure?.reason ?? 'mux-gone';
      const message = reason === 'mux-refused' ? `Watchdog mux ${path} ${this.failure?.why}` : `Watchdog mux ${path} is gone: ${this.failure?.why}`;
      return { isOk: false, result: { isOk: false, reason, message } };
    }
    if (this.socket === undefined || this.connectionState === 'closed') {
      return { isOk: false, result: { isOk: false, reason: 'not-open', message: `Watchdog client on ${path} is not open` } };
    }
    return { isOk: true, socket: this.socket };
  }

  private fail(socket: Socket | undefined, reason: WatchdogClientFailure, why: string): void {
    if (this.socket !== socket || this.connectionState === 'closed' || this.connectionState === 'failed') return;
    this.connectionState = 'failed';
    this.failure = { reason, why };
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

/** Why a connection to the mux failed, in words: the code alone (`EACCES`) names neither cause nor cure. */
function socketErrorWhy(error: NodeJS.ErrnoException): string {
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    return `permission denied (${error.code}): the socket is mode 0600, owned by the user ha-watchdog-mux runs as; run the daemons as that user (root on a real node)`;
  }
  if (error.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED): nothing listens on it, a socket left by a mux that died? Start ha-watchdog-mux';
  return error.code ?? error.message;
}
