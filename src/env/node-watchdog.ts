import { lstatSync } from 'node:fs';
import type { WatchdogPort } from './env.ts';
import type { BlackBoxKind } from './node-journal.ts';
import { WatchdogClient, WatchdogClientError } from '../watchdog/watchdog-client.ts';

/** What the daemon does when its watchdog client fails: it is no longer protected and must stop. */
export type WatchdogFailureHandler = (message: string) => void;

/**
 * The WatchdogPort of a node daemon: a mux client that records every arm, keepalive and disarm in
 * the black box. A failure (mux missing, gone, not reading) is not thrown into the core, whose ports
 * never throw: it is recorded and handed to `onFailure`, which ends the daemon — without the mux
 * nothing protects the node's services, and the armed device is resetting the node anyway.
 */
export class NodeWatchdog implements WatchdogPort {
  private client: WatchdogClient | undefined;
  /** The client last closed, until its `V` has left the process. */
  private closedClient: WatchdogClient | undefined;
  private lastFeedMs: number | undefined;
  /** Largest time between two keepalives of this daemon, for the figures. */
  largestGapMs = 0;

  constructor(
    private readonly socketPath: string,
    private readonly record: (kind: BlackBoxKind, detail: string) => void,
    private readonly nowMs: () => number,
    private readonly onFailure: WatchdogFailureHandler,
  ) {}

  get isOpen(): boolean {
    return this.client !== undefined;
  }

  open(): void {
    const client = new WatchdogClient({ socketPath: this.socketPath });
    try {
      client.open();
    } catch (error) {
      this.fail(error);
      return;
    }
    this.client = client;
    this.lastFeedMs = this.nowMs();
    this.record('arm', this.socketPath);
  }

  feed(): void {
    if (!this.client) return;
    const result = this.client.tryFeed();
    if (!result.isOk) {
      this.fail(new WatchdogClientError(result.reason, result.message));
      return;
    }
    const nowMs = this.nowMs();
    if (this.lastFeedMs !== undefined) this.largestGapMs = Math.max(this.largestGapMs, nowMs - this.lastFeedMs);
    this.lastFeedMs = nowMs;
    this.record('keepalive', '');
  }

  close(): void {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.closedClient = client;
    this.lastFeedMs = undefined;
    const result = client.tryClose();
    if (!result.isOk) {
      this.fail(new WatchdogClientError(result.reason, result.message));
      return;
    }
    this.record('disarm', 'clean leave (V)');
  }

  /** Resolves when a closed client's `V` has left the process. */
  async settled(): Promise<void> {
    await Promise.all([this.client?.settled(), this.closedClient?.settled()]);
  }

  private fail(error: unknown): void {
    const message = (error as Error).message;
    this.record('watchdog-failed', message);
    this.onFailure(message);
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
