/**
 * ha-watchdog-mux: shares one hardware watchdog among the node's HA daemons.
 *
 * Design note.
 * - **Why /dev/watchdog stays open.** The device is armed from the moment it is opened and resets the
 *   machine unless it is written to within its timeout. The mux opens it once at start and holds it for
 *   its whole life: closing it would either disarm it (after `V`) — and a node whose daemons hang would
 *   then never be reset — or leave it armed with nobody able to feed it. A driver allows one opener, so
 *   holding it also keeps any second watchdog user out (EBUSY), and the daemons, which come and go, never
 *   touch the device: each holds a client connection to the mux instead.
 * - **Why the mux stops feeding rather than closing.** When a registration's deadline passes (its client
 *   fell silent, or vanished without `V` and nobody claimed it in time), the node must be reset: that
 *   client may be a master or an LRM whose lease will be taken over, and the node must be dead by then.
 *   The mux makes that happen by simply no longer writing keepalives, and
 *   keeps the fd open: the reset then depends on nothing the failing node still has to do — not on the
 *   mux staying alive, not on a close path, not on `nowayout`. Closing instead would be wrong either way:
 *   with `V` it disarms the device (no fence at all), and without `V` a driver lacking `nowayout` logs
 *   "watchdog did not stop!" but some drivers stop anyway. The stop is latched: nothing re-arms the
 *   feeding short of a reset (or a new mux after the node restarted).
 * - **Clean stop.** On SIGTERM the mux writes `V` and closes only when no registration is left (attached
 *   or not) and the feeding never stopped; otherwise it exits leaving the device armed, so stopping the
 *   mux under a protected daemon resets the node (hence `Restart=no` in its unit: a restarted mux must
 *   not hide that).
 * - **Why each client brings its own timeout.** The timing rule that makes a lease a fence (client
 *   timeout + device timeout + renewal + drift < lease timeout) is checked against ha.cfg by every
 *   daemon; the mux only enforces what each client announces in its hello (refusing one above its
 *   ceiling), and reports the device's actual timeout back so the daemon checks the rule against it.
 *   No timing is configured in two places.
 * - **Why a registration outlives its connection.** A daemon killed, or restarted on purpose (`H`),
 *   leaves its registration armed with its deadline: the next process of the daemon may claim it and
 *   keep the node alive by renewing in time, or the deadline passes and the node is reset. Either way
 *   the bound "reset within the timeout of the last renewal" holds.
 *
 * Protocol v2 on the Unix socket (mode 0600): one hello line, one reply line, then `k`, `V`, `H`
 * (./core/mux-protocol.ts). The decisions are pure, in ./core/mux-state.ts; this shell owns the
 * socket, the timer and the device.
 */
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { assertNever } from '../common/assert.ts';
import { LINE_BYTES_MAX, parseHello, replyLine } from './core/mux-protocol.ts';
import {
  bytesReceived,
  connectionClosed,
  connectionOpened,
  helloReceived,
  initialMuxState,
  muxLimitsViolations,
  muxStopAction,
  muxTick,
  type MuxEvent,
  type MuxLimits,
  type MuxRegistration,
  type MuxState,
  type MuxStep,
} from './core/mux-state.ts';
import type { WatchdogDevice } from './watchdog-device.ts';

export interface MuxOptions {
  readonly socketPath: string;
  /** Limits, and the device's actual timeout that every hello reply reports. */
  readonly limits: MuxLimits;
  /** Keepalive period of the device (Proxmox: 1 s, a tenth of the default device timeout). */
  readonly keepaliveIntervalMs: number;
  readonly log: (line: string) => void;
  /** Monotonic clock in integer ms; tests pass the fake clock's. */
  readonly nowMs?: () => number;
}

export type MuxStopResult = { readonly action: 'magic-close' } | { readonly action: 'leave-armed'; readonly reason: string };

/** A connection that has not sent its hello line within this long holds a slot for nothing: dropped. */
const HELLO_WAIT_MS = 10_000;

export class WatchdogMux {
  private state: MuxState;
  private readonly sockets = new Map<number, Socket>();
  private nextConnectionId = 0;
  private isStopping = false;
  private lastFeedError: string | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly nowMs: () => number;

  private constructor(
    private readonly device: WatchdogDevice,
    private readonly server: Server,
    private readonly options: MuxOptions,
  ) {
    this.nowMs = options.nowMs ?? (() => Math.floor(performance.now()));
    this.state = initialMuxState(this.nowMs());
    server.on('connection', (socket) => this.accept(socket));
    this.feed();
    this.timer = setInterval(() => this.tick(), options.keepaliveIntervalMs);
  }

  /** Listens on the socket and starts feeding `device`. On failure the device is magic-closed. */
  static async start(device: WatchdogDevice, options: MuxOptions): Promise<WatchdogMux> {
    try {
      const problems = muxLimitsViolations(options.limits);
      if (problems.length > 0) throw new Error(`Watchdog mux limits are invalid: ${problems.join('; ')}`);
      const server = await listen(options.socketPath, options.log);
      const { deviceTimeoutMs, clientTimeoutMsMax } = options.limits;
      options.log(`Listening on ${options.socketPath} (protocol v2); device timeout ${deviceTimeoutMs} ms, client timeouts up to ${clientTimeoutMsMax} ms, keepalive every ${options.keepaliveIntervalMs} ms`);
      return new WatchdogMux(device, server, options);
    } catch (error) {
      device.magicClose();
      throw error;
    }
  }

  get isFeeding(): boolean {
    return this.state.stop === undefined;
  }

  /** The registrations as the mux sees them (for status output and tests). */
  get registrations(): readonly MuxRegistration[] {
    return this.state.registrations;
  }

  /** Clean stop: closes the socket, then magic-closes the device or leaves it armed (see the note). */
  async stop(): Promise<MuxStopResult> {
    if (this.isStopping) throw new Error(`Watchdog mux on ${this.options.socketPath} stopped twice`);
    this.isStopping = true;
    clearInterval(this.timer);
    const decision = muxStopAction(this.state);
    for (const socket of this.sockets.values()) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.options.socketPath, { force: true });
    if (decision.action === 'magic-close') {
      this.device.magicClose();
      this.options.log(`Stopped with no registration: watchdog device ${this.device.path} disarmed (magic close)`);
    } else {
      this.device.closeArmed();
      this.options.log(`Stopped with the watchdog device ${this.device.path} still armed: ${decision.reason}; the node will be reset`);
    }
    return decision;
  }

  private accept(socket: Socket): void {
    const connectionId = this.nextConnectionId++;
    if (this.isStopping) {
      socket.destroy();
      return;
    }
    const step = connectionOpened(this.state, { connectionId, nowMs: this.nowMs() }, this.options.limits);
    this.apply(step);
    if (!step.isAccepted) {
      socket.destroy();
      return;
    }
    this.sockets.set(connectionId, socket);
    const reader = { line: '', isHelloDone: false };
    socket.setTimeout(HELLO_WAIT_MS, () => {
      if (reader.isHelloDone) return;
      this.options.log(`Connection ${connectionId} sent no hello within ${HELLO_WAIT_MS} ms: dropped`);
      socket.destroy();
    });
    socket.on('data', (data: Buffer) => {
      if (this.isStopping || socket.destroyed) return;
      if (reader.isHelloDone) this.onBytes(socket, connectionId, data);
      else this.onHelloBytes(socket, connectionId, reader, data);
    });
    socket.on('error', (error) => this.options.log(`Connection ${connectionId}: ${error.message}`));
    socket.on('close', () => {
      this.sockets.delete(connectionId);
      if (!this.isStopping) this.apply(connectionClosed(this.state, { connectionId, nowMs: this.nowMs() }));
    });
  }

  /** Collects the hello line; once complete, answers it and hands any bytes after it on. */
  private onHelloBytes(socket: Socket, connectionId: number, reader: { line: string; isHelloDone: boolean }, data: Buffer): void {
    const text = data.toString('latin1');
    const newline = text.indexOf('\n');
    reader.line += newline === -1 ? text : text.slice(0, newline);
    if (newline === -1 && reader.line.length <= LINE_BYTES_MAX) return;
    reader.isHelloDone = true;
    socket.setTimeout(0);
    const step = helloReceived(this.state, { connectionId, hello: parseHello(reader.line), nowMs: this.nowMs() }, this.options.limits);
    this.apply(step);
    socket.write(replyLine(step.reply));
    if (!step.reply.accepted) {
      socket.end();
      return;
    }
    const rest = data.subarray(newline + 1); // latin1: one character per byte
    if (rest.length > 0) this.onBytes(socket, connectionId, rest);
  }

  private onBytes(socket: Socket, connectionId: number, data: Buffer): void {
    const step = bytesReceived(this.state, { connectionId, data, nowMs: this.nowMs() });
    this.apply(step);
    if (step.isProtocolError) socket.destroy();
  }

  private tick(): void {
    const step = muxTick(this.state, this.nowMs(), this.options.limits);
    this.apply(step);
    if (step.shouldFeed) this.feed();
  }

  private feed(): void {
    try {
      this.device.keepalive();
      this.lastFeedError = undefined;
    } catch (error) {
      // Logged once per kind of failure, not every second: EPIPE repeats until the device is back.
      const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (why !== this.lastFeedError) this.options.log(`Keepalive to watchdog device ${this.device.path} failed: ${why}`);
      this.lastFeedError = why;
    }
  }

  private apply(step: MuxStep): void {
    this.state = step.state;
    for (const event of step.events) this.options.log(describeMuxEvent(event));
  }
}

/** The log line of one mux event. */
export function describeMuxEvent(event: MuxEvent): string {
  switch (event.kind) {
    case 'connection-refused':
      return `Connection ${event.connectionId} refused: ${event.reason}`;
    case 'hello-refused':
      return `Hello of connection ${event.connectionId} refused: ${event.reason}`;
    case 'joined':
      return `${event.daemon} (pid ${event.pid}) joined with a timeout of ${event.timeoutMs} ms`;
    case 'claimed':
      return `${event.daemon} (pid ${event.pid}) claimed the registration of pid ${event.previousPid}: last keepalive ${event.keepaliveAgeMs} ms ago, deadline in ${event.deadlineInMs} ms`;
    case 'left':
      return `${event.daemon} (pid ${event.pid}) left ${event.how === 'clean' ? 'cleanly' : 'before it was armed'}`;
    case 'handed-over':
      return `${event.daemon} (pid ${event.pid}) handed its registration over to its next process: deadline in ${event.deadlineInMs} ms`;
    case 'detached':
      return `${event.daemon} (pid ${event.pid}) went without V: its registration stays armed, deadline in ${event.deadlineInMs} ms`;
    case 'warning':
      return `WARNING: ${event.daemon} (pid ${event.pid}) silent for ${event.silentMs} ms (timeout ${event.timeoutMs} ms)`;
    case 'lost':
      return `Registration lost: ${event.reason}`;
    case 'protocol-error':
      return `${event.daemon} (pid ${event.pid}) dropped: ${event.reason}`;
    case 'feeding-stopped':
      return `WATCHDOG KEEPALIVES STOPPED, the node will be reset: ${event.reason}`;
    default:
      return assertNever(event, 'mux event');
  }
}

/** Listens on `path` (mode 0600, directory created 0700), replacing a stale socket but not a live one. */
async function listen(path: string, log: (line: string) => void): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  removeStaleSocket(path, log);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`Cannot listen on ${path}: ${error.code ?? error.message}`)));
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

/**
 * Removes a socket left by an earlier mux (killed by a reset, or crashed). It is never probed by
 * connecting: to a live mux, a probe would be a client closing without `V`, and would stop its feeding.
 * The device, opened before this, is exclusive, so a second mux on the same device never gets here.
 */
function removeStaleSocket(path: string, log: (line: string) => void): void {
  let stats;
  try {
    stats = lstatSync(path);
  } catch {
    return;
  }
  if (!stats.isSocket()) throw new Error(`Socket path ${path} exists and is not a socket: remove it or choose another --socket`);
  rmSync(path, { force: true });
  log(`Removed the socket ${path} left by an earlier mux`);
}
