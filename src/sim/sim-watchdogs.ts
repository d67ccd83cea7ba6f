import { assert } from '../common/assert.ts';
import type { WatchdogPort } from '../env/env.ts';
import { helloLine, parseHello, type HelloReply } from '../watchdog/core/mux-protocol.ts';
import {
  bytesReceived,
  connectionClosed,
  connectionOpened,
  helloReceived,
  initialMuxState,
  muxTick,
  type MuxLimits,
  type MuxState,
  type MuxStep,
} from '../watchdog/core/mux-state.ts';

/**
 * The watchdog hardware and multiplexer of one simulated node: the very pure core the real
 * ha-watchdog-mux runs (src/watchdog/core/mux-state.ts), on the node's own clock, in front of a device
 * model. The daemons reach it through their SimWatchdogPort, a connection each, as the real daemons
 * reach the mux through its socket:
 * - a daemon that crashes or exits closes its connection without `V` or `H`: an armed registration
 *   stays, with its deadline, for a successor to claim or to run out;
 * - the mux crashing stops the feeding at once; its connections are gone, so the daemons' next port
 *   call fails and they die, as real ones do on 'mux-gone' (they are not restarted: without a mux a
 *   daemon refuses to start, until the reset);
 * - the device resets the node once it has gone unfed for longer than its timeout: from the deadline
 *   that stopped the feeding (the mux feeds until that instant) or from the mux's crash;
 * - power off clears it all; power on boots a fresh mux.
 */
export class SimNodeWatchdog {
  private mux: MuxState | undefined;
  /** Own-clock time the mux crashed at, while the node stays powered. */
  private muxCrashedMs: number | undefined;
  /** Grows on every power cycle and mux crash: connections of an older generation are gone. */
  private generation = 0;
  private nextConnectionId = 0;
  private nextPid = 1;

  constructor(
    /** The node's own clock now. */
    private readonly ownNowMs: () => number,
    readonly limits: MuxLimits,
  ) {}

  /** A fresh mux and an idle device, as after a boot. */
  boot(): void {
    this.generation++;
    this.mux = initialMuxState(this.ownNowMs());
    this.muxCrashedMs = undefined;
  }

  powerOff(): void {
    this.generation++;
    this.mux = undefined;
    this.muxCrashedMs = undefined;
  }

  /** The mux dies without `V`: the device is no longer fed, the connections are gone. */
  crashMux(): void {
    if (this.mux === undefined) return;
    this.generation++;
    this.mux = undefined;
    this.muxCrashedMs = this.ownNowMs();
  }

  /** A pid for a new daemon process (the hello names it). */
  newPid(): number {
    return this.nextPid++;
  }

  /** A new connection, or undefined when no mux runs. */
  connect(): SimConnection | undefined {
    if (this.mux === undefined) return undefined;
    const connectionId = this.nextConnectionId++;
    const step = connectionOpened(this.mux, { connectionId, nowMs: this.ownNowMs() }, this.limits);
    this.apply(step);
    return step.isAccepted ? { connectionId, generation: this.generation } : undefined;
  }

  isLive(connection: SimConnection): boolean {
    return this.mux !== undefined && connection.generation === this.generation;
  }

  /** The hello goes through the protocol's own text, so the simulator speaks what the real client does. */
  hello(connection: SimConnection, hello: Parameters<typeof helloLine>[0]): HelloReply {
    const step = helloReceived(this.liveMux(connection), { connectionId: connection.connectionId, hello: parseHello(helloLine(hello).trim()), nowMs: this.ownNowMs() }, this.limits);
    this.apply(step);
    return step.reply;
  }

  send(connection: SimConnection, text: string): void {
    const step = bytesReceived(this.liveMux(connection), { connectionId: connection.connectionId, data: new TextEncoder().encode(text), nowMs: this.ownNowMs() });
    assert(!step.isProtocolError, `Simulated client sent ${JSON.stringify(text)}: a protocol error`);
    this.apply(step);
  }

  close(connection: SimConnection): void {
    this.apply(connectionClosed(this.liveMux(connection), { connectionId: connection.connectionId, nowMs: this.ownNowMs() }));
  }

  /** Whether the registration of a live connection is armed (the planted bugs of chaos runs ask). */
  isArmed(connection: SimConnection): boolean {
    if (!this.isLive(connection)) return false;
    return this.mux!.registrations.some((each) => each.connectionId === connection.connectionId && each.deadlineMs !== undefined);
  }

  /** Whether `daemon` has an armed registration, attached to a connection or left by a process that ended. */
  hasArmedRegistration(daemon: string): boolean {
    return this.mux?.registrations.some((each) => each.daemon === daemon && each.deadlineMs !== undefined) ?? false;
  }

  /** Own-clock time of the last keepalive of `daemon`'s registration, if it has one (invariant checks). */
  lastKeepaliveMs(daemon: string): number | undefined {
    return this.mux?.registrations.find((each) => each.daemon === daemon)?.lastKeepaliveMs;
  }

  /** Own-clock time the device was fed last before the feeding stopped (a deadline, or the mux's crash). */
  feedingStoppedAtMs(): number | undefined {
    return this.mux?.stop?.atMs ?? this.muxCrashedMs;
  }

  /**
   * One look at the device now (the mux ticks first): the cause when the node is to be reset —
   * `lrm`/`crm` for an attached registration's deadline, `lrm-orphan`/`crm-orphan` for a detached
   * one's, `mux` for a crashed mux — or undefined. Strictly past the device timeout, as the reference
   * model's watchdog check is strict.
   */
  resetCause(): string | undefined {
    const nowMs = this.ownNowMs();
    if (this.mux !== undefined) this.apply(muxTick(this.mux, nowMs, this.limits));
    const stop = this.mux?.stop;
    const stoppedMs = this.feedingStoppedAtMs();
    if (stoppedMs === undefined || nowMs - stoppedMs <= this.limits.deviceTimeoutMs) return undefined;
    if (stop === undefined) return 'mux';
    return stop.isAttached ? stop.daemon : `${stop.daemon}-orphan`;
  }

  private liveMux(connection: SimConnection): MuxState {
    assert(this.isLive(connection), `Connection ${connection.connectionId} of an old mux used`);
    return this.mux!;
  }

  private apply(step: MuxStep): void {
    this.mux = step.state;
  }
}

export interface SimConnection {
  readonly connectionId: number;
  readonly generation: number;
}

/** Thrown from a port whose mux is gone: the daemon ends on the spot, as a real one exits (process.exit). */
export class SimDaemonDied extends Error {
  override name = 'SimDaemonDied';
}

/**
 * The WatchdogPort of one simulated daemon, one process at a time: `register()` when the simulator
 * starts a process of it (as node-daemon.ts does before the first round), `processEnded()` when the
 * process is gone (a close without `V` or `H`, unless it left by itself). On a node configured
 * `watchdog none` (fence.cfg) it is the daemons' NoWatchdog (src/env/no-watchdog.ts): no mux to
 * register with, nothing to feed, and nothing resets the node.
 */
export class SimWatchdogPort implements WatchdogPort {
  private connection: SimConnection | undefined;
  private claimed: { keepaliveAgeMs: number; atMs: number } | undefined;
  private pid = 0;

  constructor(
    private readonly watchdog: SimNodeWatchdog,
    private readonly daemon: 'crm' | 'lrm',
    private readonly timeoutMs: number,
    private readonly ownNowMs: () => number,
    /** False on a node configured `watchdog none`: read at every call, as the daemons read fence.cfg at start. */
    private readonly hasDevice: () => boolean = () => true,
  ) {}

  get resetsNode(): boolean {
    return this.hasDevice();
  }

  /** A new process registers: hello (only the LRM claims) and reply. Returns why it was refused, if it was. */
  register(): string | undefined {
    this.processEnded();
    this.pid = this.watchdog.newPid();
    this.claimed = undefined;
    if (!this.hasDevice()) return undefined;
    const connection = this.watchdog.connect();
    if (connection === undefined) return `no watchdog mux runs on this node`;
    const reply = this.watchdog.hello(connection, { daemon: this.daemon, timeoutMs: this.timeoutMs, pid: this.pid, isClaiming: this.daemon === 'lrm' });
    if (!reply.accepted) {
      this.watchdog.close(connection);
      return reply.reason;
    }
    if (reply.claimed) {
      this.connection = connection;
      this.claimed = { keepaliveAgeMs: reply.keepaliveAgeMs ?? 0, atMs: this.ownNowMs() };
      return undefined;
    }
    this.watchdog.send(connection, 'V');
    this.watchdog.close(connection);
    return undefined;
  }

  claim(): { keepaliveAgeMs: number } | undefined {
    const claimed = this.claimed;
    this.claimed = undefined;
    return claimed && { keepaliveAgeMs: claimed.keepaliveAgeMs + (this.ownNowMs() - claimed.atMs) };
  }

  open(): void {
    assert(this.connection === undefined, `${this.daemon} opened its watchdog registration twice`);
    if (!this.hasDevice()) return;
    const connection = this.watchdog.connect();
    if (connection === undefined) throw new SimDaemonDied(`${this.daemon}: the watchdog mux is gone`);
    const reply = this.watchdog.hello(connection, { daemon: this.daemon, timeoutMs: this.timeoutMs, pid: this.pid, isClaiming: false });
    if (!reply.accepted) {
      this.watchdog.close(connection);
      throw new SimDaemonDied(`${this.daemon}: the watchdog mux refused: ${reply.reason}`);
    }
    this.connection = connection;
    this.watchdog.send(connection, 'k');
  }

  feed(): void {
    if (this.hasDevice()) this.watchdog.send(this.live('feed'), 'k');
  }

  close(): void {
    if (this.hasDevice()) this.leave('V');
  }

  handOver(): void {
    if (this.hasDevice()) this.leave('H');
  }

  /** The process is gone: its connection, if still open, closes without `V` or `H`. */
  processEnded(): void {
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined && this.watchdog.isLive(connection)) this.watchdog.close(connection);
  }

  isArmed(): boolean {
    return this.connection !== undefined && this.watchdog.isArmed(this.connection);
  }

  private leave(lastByte: 'V' | 'H'): void {
    const connection = this.live(lastByte === 'V' ? 'close' : 'hand over');
    this.watchdog.send(connection, lastByte);
    this.watchdog.close(connection);
    this.connection = undefined;
  }

  private live(what: string): SimConnection {
    assert(this.connection !== undefined, `${this.daemon} tried to ${what} a watchdog registration it does not have`);
    if (!this.watchdog.isLive(this.connection)) throw new SimDaemonDied(`${this.daemon}: the watchdog mux is gone (${what})`);
    return this.connection;
  }
}
