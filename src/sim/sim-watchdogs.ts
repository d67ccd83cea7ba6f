import type { Timing } from '../common/timing.ts';
import type { SimNode, WatchdogClient } from './sim-cluster.ts';

/** The first registration of the node not fed for longer than the client timeout, on the node's own clock. */
export function expiredWatchdogClient(node: SimNode, { nowMs, clientTimeoutMs }: { nowMs: number; clientTimeoutMs: number }): WatchdogClient | undefined {
  if (node.watchdog.size === 0) return undefined;
  const ownNowMs = node.clock.at(nowMs);
  for (const [client, lastMs] of node.watchdog) {
    if (ownNowMs - lastMs > clientTimeoutMs) return client;
  }
  return undefined;
}

/**
 * A client that vanished without the magic close (a crashed daemon), or every client of a crashed
 * multiplexer: the multiplexer stops feeding at once, so the device resets the node after its own
 * timeout. Modelled as a registration that expires `deviceTimeout` from now and is never fed.
 */
export function orphanWatchdogClients(node: SimNode, { daemon, nowMs, timing }: { daemon: 'crm' | 'lrm' | 'mux'; nowMs: number; timing: Timing }): void {
  const expiresAsIfFedMs = node.clock.at(nowMs) - (timing.watchdogClientTimeoutMs - timing.watchdogDeviceTimeoutMs);
  const clients: Array<'crm' | 'lrm'> = daemon === 'mux' ? ['crm', 'lrm'] : [daemon];
  for (const client of clients) {
    if (!node.watchdog.has(client)) continue;
    node.watchdog.delete(client);
    node.watchdog.set(`${client}-orphan`, expiresAsIfFedMs);
  }
}
