import type { WatchdogPort } from './env.ts';

/**
 * The WatchdogPort of a daemon on a node configured `watchdog none` (fence.cfg): there is no device
 * and no mux to register with, so nothing resets the node when it stops feeding. The master knows:
 * it recovers such a node's services only on the agent, kdump or operator proofs.
 */
export class NoWatchdog implements WatchdogPort {
  readonly resetsNode = false;
  /** Nothing to measure: no keepalives are sent. */
  readonly largestGapMs = 0;
  async settled(): Promise<void> {}
  open(): void {}
  feed(): void {}
  close(): void {}
  handOver(): void {}
  claim(): undefined {
    return undefined;
  }
}
