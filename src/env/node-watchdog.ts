import { lstatSync } from 'node:fs';
import type { WatchdogPort } from './env.ts';
import type { BlackBoxKind } from './node-journal.ts';
import { WatchdogClient, WatchdogClientError, type WatchdogRegistration } from '../watchdog/watchdog-client.ts';

/** A daemon's watchdog port with what the daemon reads at its end: pending writes settled, the largest keepalive gap. */
export type DaemonWatchdog = WatchdogPort & { settled(): Promise<void>; readonly largestGapMs: number };

/** What the daemon does when its watchdog client fails: it is no longer protected and must stop. */
export type WatchdogFailureHandler = (message: string) => void;

export interface NodeWatchdogOptions {
  readonly socketPath: string;
  readonly daemon: 'crm' | 'lrm';
  /** This daemon's watchdog client timeout (ha.cfg), announced to the mux in every hello. */
  readonly timeoutMs: number;
  readonly record: (kind: BlackBoxKind, detail: string) => void;
  /** The daemon's monotonic clock (the one its rounds use). */
  readonly nowMs: () => number;
  readonly onFailure: WatchdogFailureHandler;
}

/**
 * The WatchdogPort of a node daemon: a mux client (protocol v2) that records every claim, arm,
 * keepalive, hand-over and disarm in the black box. `register()` runs once before the first round: the
 * LRM claims the registration its previous process left armed, and `claim()` then answers what it
 * found. A failure (mux missing, gone, refusing, not reading) is not thrown into the core, whose ports
 * never throw: it is recorded and handed to `onFailure`, which ends the daemon — without the mux
 * nothing protects the node's services, and the armed device is resetting the node anyway.
 */
export class NodeWatchdog implements WatchdogPort {
  private client: WatchdogClient | undefined;
  /** The client last closed or handed over, until its last byte has left the process. */
  private closedClient: WatchdogClient | undefined;
  private claimed: WatchdogRegistration['claimed'];
  private lastFeedMs: number | undefined;
  /** Largest time between two keepalives of this daemon, for the figures. */
  largestGapMs = 0;
  readonly resetsNode = true;

  constructor(private readonly options: NodeWatchdogOptions) {}

  get isOpen(): boolean {
    return this.client !== undefined;
  }

  /**
   * Hello and reply, before the first round (only the LRM claims). Throws `WatchdogClientError` when the
   * mux is missing, silent, or refuses; the daemon then does not start.
   */
  async register(): Promise<WatchdogRegistration> {
    const client = this.newClient();
    const registration = await client.register({ isClaiming: this.options.daemon === 'lrm' });
    if (registration.claimed !== undefined) {
      this.client = client;
      this.claimed = registration.claimed;
      this.lastFeedMs = this.options.nowMs();
      this.options.record('claim', `${this.options.socketPath}: the previous ${this.options.daemon}'s registration, last keepalive ${registration.claimed.keepaliveAgeMs} ms before the claim`);
    }
    return registration;
  }

  claim(): { keepaliveAgeMs: number } | undefined {
    const claimed = this.claimed;
    this.claimed = undefined;
    // The mux measured the age somewhere between the hello and the reply: counting from the hello bounds it.
    return claimed && { keepaliveAgeMs: claimed.keepaliveAgeMs + (this.options.nowMs() - claimed.sinceMs) };
  }

  open(): void {
    if (this.client !== undefined) throw new Error(`${this.options.daemon}: watchdog registration opened while one is open`);
    const client = this.newClient();
    try {
      client.open();
    } catch (error) {
      this.fail(error);
      return;
    }
    this.client = client;
    this.lastFeedMs = this.options.nowMs();
    this.options.record('arm', this.options.socketPath);
  }

  feed(): void {
    if (!this.client) return;
    const result = this.client.tryFeed();
    if (!result.isOk) {
      this.fail(new WatchdogClientError(result.reason, result.message));
      return;
    }
    const nowMs = this.options.nowMs();
    if (this.lastFeedMs !== undefined) this.largestGapMs = Math.max(this.largestGapMs, nowMs - this.lastFeedMs);
    this.lastFeedMs = nowMs;
    this.options.record('keepalive', '');
  }

  close(): void {
    this.leave('close');
  }

  handOver(): void {
    this.leave('hand-over');
  }

  /** Resolves when a closed or handed-over client's last byte has left the process. */
  async settled(): Promise<void> {
    await Promise.all([this.client?.settled(), this.closedClient?.settled()]);
  }

  private leave(how: 'close' | 'hand-over'): void {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.closedClient = client;
    this.lastFeedMs = undefined;
    const result = how === 'close' ? client.tryClose() : client.tryHandOver();
    if (!result.isOk) {
      this.fail(new WatchdogClientError(result.reason, result.message));
      return;
    }
    if (how === 'close') this.options.record('disarm', 'clean leave (V)');
    else this.options.record('hand-over', 'registration left armed for the next process (H)');
  }

  private newClient(): WatchdogClient {
    const { socketPath, daemon, timeoutMs, nowMs } = this.options;
    return new WatchdogClient({ socketPath, daemon, timeoutMs, nowMs });
  }

  private fail(error: unknown): void {
    const message = (error as Error).message;
    this.options.record('watchdog-failed', message);
    this.options.onFailure(message);
  }
}

/** Throws a one-line error unless `socketPath` is a Unix socket: a daemon without a mux refuses to start. */
export function assertMuxSocket(socketPath: string): void {
  let isSocket = false;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch (error) {
    throw new Error(`Watchdog mux socket ${socketPath} is missing (${(error as NodeJS.ErrnoException).code}): start ha-watchdog-mux first; no services run unprotected`);
  }
  if (!isSocket) throw new Error(`Watchdog mux socket ${socketPath} is not a socket: no services run unprotected`);
}
