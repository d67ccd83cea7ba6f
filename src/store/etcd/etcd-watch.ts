import type { ClientRequest } from 'node:http';
import { assert } from '../../common/assert.ts';
import type { EtcdGateway } from './etcd-gateway.ts';
import { underPrefix } from './etcd-keys.ts';
import { decodeKv, decodeRange, encode, int64, rangeBody, type EtcdKv } from './etcd-wire.ts';

/** A change of one key under the watched prefix; `value` is '' for a delete. */
export interface PrefixChange {
  readonly kind: 'put' | 'delete';
  readonly key: string;
  readonly value: string;
  readonly modRevision: number;
}

export interface PrefixWatchOptions {
  /** The gateway, or a test's wrapper of it (a slow answer injected at the adapter). */
  readonly gateway: Pick<EtcdGateway, 'post' | 'stream'>;
  readonly prefix: string;
  /** Every change once, in revision order; the first call carries every key present at the start. */
  readonly onChanges: (changes: readonly PrefixChange[]) => void;
  readonly onProblem?: (message: string) => void;
  /** A full range this often, compared with what the watch delivered: a stalled watch gives no signal. */
  readonly resyncMs?: number;
}

/** A stream that stalls goes unnoticed this long at most; a full range of a config prefix is cheap. */
export const WATCH_RESYNC_MS_DEFAULT = 10_000;
/**
 * A broken stream is opened again after this pause (then on another member: the gateway rotates),
 * doubled after each open that brought no answer, up to the most: a node cut off from etcd would
 * otherwise try every endpoint five times a second for as long as the cut lasts. The periodic range
 * and the daemons' per-round signature check do not wait for it.
 */
const REOPEN_DELAY_MS = 200;
const REOPEN_DELAY_MS_MAX = 5_000;
/** Keys under one watched prefix: config files, LRM statuses, commands — far fewer than this. */
const WATCHED_KEYS_MAX = 100_000;
/** Pages of one full range. */
const RANGE_PAGES_MAX = 1_000;
const RANGE_PAGE_KEYS = 1_000;

/**
 * Watches every key under a prefix (DESIGN.md "The etcd store": changes by watch, resumed from the
 * last revision, backed by a periodic range). It keeps what it has delivered — key, value, mod revision —
 * so a reopened watch resumes at the revision after the last one delivered (nothing lost, nothing
 * twice), and a periodic range that finds a difference delivers the difference and reopens the watch
 * from the range's revision (the stream had stalled, or etcd compacted past it).
 *
 * Asynchronous, for a daemon's event loop: it never blocks a round. Failures go to `onProblem` and are
 * retried; `stop` ends it.
 */
export class EtcdPrefixWatch {
  private readonly known = new Map<string, EtcdKv>();
  private revision = 0;
  private request: ClientRequest | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private isStopped = false;
  private isStreaming = false;
  private reopenDelayMs = REOPEN_DELAY_MS;
  /** Set while a reopen waits out its delay: the periodic range does not open the stream before it. */
  private reopenTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PrefixWatchOptions) {}

  /** Resolves once the current keys were delivered (or could not be read: then the periodic range retries). */
  async start(): Promise<void> {
    await this.resync();
    this.resyncTimer = setInterval(() => void this.resync(), this.options.resyncMs ?? WATCH_RESYNC_MS_DEFAULT);
    this.resyncTimer.unref();
  }

  stop(): void {
    this.isStopped = true;
    clearInterval(this.resyncTimer);
    clearTimeout(this.reopenTimer);
    this.request?.destroy();
  }

  /** The last revision delivered. */
  get deliveredRevision(): number {
    return this.revision;
  }

  /** A full range; what differs from what was delivered is delivered now, and the watch (re)opens after it. */
  private async resync(): Promise<void> {
    if (this.isStopped) return;
    const range = await this.rangeAll();
    if (range === undefined) return;
    // The stream delivered past this range while it was in flight: comparing would bring back old values.
    if (range.revision < this.revision) {
      if (this.isIdle()) void this.watch();
      return;
    }
    const changes: PrefixChange[] = [];
    for (const kv of range.kvs) {
      if (this.known.get(kv.key)?.modRevision !== kv.modRevision) changes.push({ kind: 'put', key: kv.key, value: kv.value, modRevision: kv.modRevision });
    }
    const present = new Set(range.kvs.map((kv) => kv.key));
    for (const key of this.known.keys()) if (!present.has(key)) changes.push({ kind: 'delete', key, value: '', modRevision: range.revision });
    const isBehind = range.revision > this.revision && changes.length > 0;
    if (changes.length > 0 || this.revision === 0) this.deliver(changes.sort((a, b) => a.modRevision - b.modRevision), range.revision);
    else this.revision = Math.max(this.revision, range.revision);
    if (isBehind && this.isStreaming) {
      this.options.onProblem?.(`etcd watch of ${this.options.prefix}: a full range found ${changes.length} changes the watch had not delivered; reopening it`);
      this.request?.destroy();
    }
    if (this.isIdle()) void this.watch();
  }

  /** No stream open and none about to be. */
  private isIdle(): boolean {
    return !this.isStreaming && this.reopenTimer === undefined;
  }

  private async rangeAll(): Promise<{ kvs: EtcdKv[]; revision: number } | undefined> {
    const { key: start, rangeEnd } = underPrefix(this.options.prefix);
    const kvs: EtcdKv[] = [];
    let key = start;
    let revision: number | undefined;
    for (let page = 0; page < RANGE_PAGES_MAX; page++) {
      const answer = await this.options.gateway.post('/v3/kv/range', rangeBody({ key, rangeEnd, limit: RANGE_PAGE_KEYS, ...(revision ? { revision } : {}) }));
      if (answer.kind !== 'ok') {
        this.options.onProblem?.(`etcd watch of ${this.options.prefix}: ${answer.message}`);
        return undefined;
      }
      const range = decodeRange(answer.json);
      revision ??= range.revision;
      kvs.push(...range.kvs);
      assert(kvs.length <= WATCHED_KEYS_MAX, `etcd watch of ${this.options.prefix}: over ${WATCHED_KEYS_MAX} keys`);
      if (!range.more || range.kvs.length === 0) return { kvs, revision };
      key = `${range.kvs.at(-1)!.key}\0`;
    }
    assert(false, `etcd watch of ${this.options.prefix}: a range of more than ${RANGE_PAGES_MAX} pages`);
  }

  private deliver(changes: readonly PrefixChange[], revision: number): void {
    for (const change of changes) {
      if (change.kind === 'delete') this.known.delete(change.key);
      else this.known.set(change.key, { key: change.key, value: change.value, modRevision: change.modRevision, createRevision: 0, version: 0 });
    }
    this.revision = Math.max(this.revision, revision);
    this.options.onChanges(changes);
  }

  /** One watch stream from the revision after the last delivered; reopened when it ends, until stopped. */
  private async watch(): Promise<void> {
    if (this.isStopped || this.isStreaming) return;
    this.reopenTimer = undefined;
    this.isStreaming = true;
    const { key, rangeEnd } = underPrefix(this.options.prefix);
    const opened = await this.options.gateway.stream('/v3/watch', { create_request: { key: encode(key), range_end: encode(rangeEnd), start_revision: String(this.revision + 1) } });
    if (opened.kind !== 'ok') {
      this.options.onProblem?.(`etcd watch of ${this.options.prefix}: ${opened.message}`);
      this.reopenLater();
      return;
    }
    this.request = opened.request;
    let buffered = '';
    opened.response.setEncoding('utf8');
    opened.response.on('data', (chunk: string) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
        this.onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    const ended = () => this.reopenLater();
    opened.response.once('end', ended);
    opened.response.once('error', ended);
    opened.request.once('error', ended);
  }

  private reopenLater(): void {
    if (!this.isStreaming) return;
    this.isStreaming = false;
    this.request = undefined;
    if (this.isStopped) return;
    this.reopenTimer = setTimeout(() => void this.watch(), this.reopenDelayMs);
    this.reopenTimer.unref();
    this.reopenDelayMs = Math.min(this.reopenDelayMs * 2, REOPEN_DELAY_MS_MAX);
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    let message: { result?: Record<string, unknown>; error?: unknown };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      this.options.onProblem?.(`etcd watch of ${this.options.prefix}: a line that is not JSON: ${line.slice(0, 200)}`);
      this.request?.destroy();
      return;
    }
    const result = message.result;
    if (result) this.reopenDelayMs = REOPEN_DELAY_MS; // etcd answered on this stream: a break later is a new one
    if (!result) return this.options.onProblem?.(`etcd watch of ${this.options.prefix}: ${JSON.stringify(message.error ?? message)}`);
    if (result.canceled === true || int64(result.compact_revision) > 0) {
      this.options.onProblem?.(`etcd watch of ${this.options.prefix}: canceled (compacted at ${int64(result.compact_revision)}); ranging again`);
      this.request?.destroy();
      void this.resync();
      return;
    }
    const events = Array.isArray(result.events) ? (result.events as Array<Record<string, unknown>>) : [];
    const changes = events
      .map((event) => ({ event, kv: decodeKv(event.kv as Record<string, unknown>) }))
      .filter(({ kv }) => kv.modRevision > this.revision)
      .map(({ event, kv }): PrefixChange => ({ kind: event.type === 'DELETE' ? 'delete' : 'put', key: kv.key, value: kv.value, modRevision: kv.modRevision }));
    if (changes.length > 0) this.deliver(changes, changes.at(-1)!.modRevision);
  }
}
