import type { ServerResponse } from 'node:http';
import type { ConsoleEvent, ConsoleSource } from './console-source.ts';
import { diffBaseOf, diffStatus, type DiffBase } from './status-diff.ts';

/**
 * The pushes of the console (Server-Sent Events): one status() read and one diff per change, shared
 * by every open page. A page gets a snapshot first (the last report, the kept events), then only
 * patches and new events. The source says when something may have changed; a tick re-reads anyway,
 * for the ages (lease, heartbeat) that grow without any file changing.
 */
export interface HubOptions {
  readonly source: ConsoleSource;
  /** How often status is re-read without a change notice (ages). */
  readonly tickMs: number;
  /** Change notices within this window are one read: a round of the master writes several files. */
  readonly debounceMs: number;
}

/** Pages served at once: beyond it a page is refused (each costs a socket and a buffer). */
export const CLIENTS_MAX = 64;
/** A page that reads slower than the cluster changes is dropped beyond this; it reconnects and gets a snapshot. */
const CLIENT_BUFFER_BYTES_MAX = 16 * 1024 * 1024;
/** Events a new page gets in its snapshot: the timeline's depth. */
export const EVENTS_KEPT_MAX = 500;

export class ConsoleHub {
  private base: DiffBase | null = null;
  private problem: string | null = null;
  private readonly clients = new Set<ServerResponse>();
  private readonly recentEvents: ConsoleEvent[] = [];
  private lastEventId: number | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly tick: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: HubOptions) {
    this.unsubscribe = options.source.onChange(() => this.schedule());
    this.tick = setInterval(() => this.refresh(), options.tickMs);
    this.refresh();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Starts the stream of one page; false when CLIENTS_MAX pages are open already. */
  addClient(response: ServerResponse): boolean {
    if (this.clients.size >= CLIENTS_MAX) return false;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
    const snapshot = { kind: this.options.source.kind, status: this.base?.report ?? null, events: this.recentEvents, problem: this.problem };
    send(response, 'snapshot', snapshot);
    return true;
  }

  /** Re-reads soon (coalescing notices within debounceMs). */
  schedule(): void {
    if (this.debounce !== undefined) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.refresh();
    }, this.options.debounceMs);
  }

  /** Reads status and new events now, and pushes what changed. */
  refresh(): void {
    const events = this.options.source.events(this.lastEventId);
    if (events.length > 0) {
      this.lastEventId = events[events.length - 1]!.id;
      this.recentEvents.push(...events);
      this.recentEvents.splice(0, Math.max(0, this.recentEvents.length - EVENTS_KEPT_MAX));
      this.broadcast('events', events);
    }
    let next: DiffBase;
    try {
      next = diffBaseOf(this.options.source.status());
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.problem) this.broadcast('problem', { message });
      this.problem = message;
      return;
    }
    if (this.problem !== null) this.broadcast('problem', { message: null });
    this.problem = null;
    const patch = this.base === null ? null : diffStatus(this.base, next);
    const isFirst = this.base === null;
    this.base = next;
    if (isFirst) this.broadcast('status', next.report);
    else if (patch !== null) this.broadcast('patch', patch);
  }

  close(): void {
    clearInterval(this.tick);
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.unsubscribe();
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const text = frame(event, data);
    for (const client of this.clients) {
      if (client.writableLength > CLIENT_BUFFER_BYTES_MAX) {
        client.destroy(); // it reconnects and starts from a snapshot
        this.clients.delete(client);
        continue;
      }
      client.write(text);
    }
  }
}

function send(response: ServerResponse, event: string, data: unknown): void {
  response.write(frame(event, data));
}

/** One SSE message; JSON has no raw line breaks, so `data:` is one line. */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
