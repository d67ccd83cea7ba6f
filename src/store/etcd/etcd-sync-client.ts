import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { assert } from '../../common/assert.ts';
import { ETCD_CALL_TIMEOUT_MS_DEFAULT, type EtcdConnectionOptions, type GatewayFailure } from './etcd-gateway.ts';
import {
  decodeDelete,
  decodeRange,
  decodeTxn,
  deleteBody,
  rangeBody,
  txnBody,
  type DeleteResult,
  type RangeRequest,
  type RangeResult,
  type TxnRequest,
  type TxnResult,
} from './etcd-wire.ts';
import { READY_ID, type EtcdWorkerData, type EtcdWorkerReply, type EtcdWorkerRequest } from './etcd-worker.ts';

/**
 * The calls the etcd stores make, synchronously. EtcdSyncClient is the one implementation; tests wrap
 * it to lose an answer after etcd applied the request (a fault at the adapter, never in the store).
 */
export interface EtcdKvClient {
  range(request: RangeRequest): RangeResult | GatewayFailure;
  txn(request: TxnRequest): TxnResult | GatewayFailure;
  deleteRange(request: { readonly key: string; readonly rangeEnd?: string; readonly prevKv?: boolean }): DeleteResult | GatewayFailure;
}

/**
 * etcd for synchronous callers. The store ports are synchronous (the daemons and the simulator call
 * them within a round, as the dir store's fs calls are), so a call here posts its request to a worker
 * thread that runs the gateway, and blocks on Atomics.wait until the answer or the call's deadline.
 * A store that does not answer is then exactly a blocked NFS call: the round waits at most the
 * deadline, and the caller's renewalMaxMs already counts a late call as failed.
 *
 * An answer that comes after its deadline is dropped (the next call drains it by id): the request may
 * still have landed, which the lease store allows for (a write carries its writer's nonce).
 *
 * Locking: one caller thread per instance; calls do not interleave. Failures are `GatewayFailure`
 * values; a thrown error is a bug.
 */
export class EtcdSyncClient implements EtcdKvClient {
  readonly callTimeoutMs: number;
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private startFailure: GatewayFailure | undefined;
  private nextId = READY_ID + 1;

  constructor(readonly options: EtcdConnectionOptions) {
    this.callTimeoutMs = options.callTimeoutMs ?? ETCD_CALL_TIMEOUT_MS_DEFAULT;
    assert(Number.isSafeInteger(this.callTimeoutMs) && this.callTimeoutMs > 0, `etcd call timeout must be a positive integer, got ${this.callTimeoutMs}`);
  }

  range(request: RangeRequest): RangeResult | GatewayFailure {
    return this.call('/v3/kv/range', rangeBody(request), decodeRange);
  }

  txn(request: TxnRequest): TxnResult | GatewayFailure {
    return this.call('/v3/kv/txn', txnBody(request), decodeTxn);
  }

  deleteRange(request: { readonly key: string; readonly rangeEnd?: string; readonly prevKv?: boolean }): DeleteResult | GatewayFailure {
    return this.call('/v3/kv/deleterange', deleteBody(request), decodeDelete);
  }

  /** Ends the worker; a later call starts a new one. */
  close(): void {
    void this.worker?.terminate();
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
  }

  private call<T>(path: string, body: Record<string, unknown>, decode: (json: Record<string, unknown>) => T): T | GatewayFailure {
    const started = this.start();
    if (started) return started;
    const id = this.nextId++;
    const request: EtcdWorkerRequest = { id, path, body, timeoutMs: this.callTimeoutMs };
    this.port!.postMessage(request);
    const reply = this.waitFor(id, this.callTimeoutMs + REPLY_MARGIN_MS);
    if (reply === undefined) return { kind: 'unavailable', message: `etcd: no answer within ${this.callTimeoutMs + REPLY_MARGIN_MS} ms (${path})` };
    if (reply.answer.kind !== 'ok') return reply.answer;
    return decode(reply.answer.json);
  }

  /** Starts the worker once and waits until it is ready; a failure to start is kept and returned by every call. */
  private start(): GatewayFailure | undefined {
    if (this.startFailure) return this.startFailure;
    if (this.worker) return undefined;
    const { port1, port2 } = new MessageChannel();
    const data: EtcdWorkerData = { options: this.options, signal: this.signal.buffer as SharedArrayBuffer, port: port2 };
    const [entry, entryOptions] = workerEntry();
    this.worker = new Worker(entry, { ...entryOptions, workerData: data, transferList: [port2] });
    this.worker.unref();
    this.port = port1;
    const ready = this.waitFor(READY_ID, WORKER_START_MS_MAX);
    if (ready?.answer.kind === 'ok') return undefined;
    this.startFailure = ready?.answer ?? { kind: 'unavailable', message: `etcd client: the worker thread did not start within ${WORKER_START_MS_MAX} ms` };
    this.close();
    return this.startFailure;
  }

  /** Blocks until the reply `id` arrives or `waitMs` passed; older replies are dropped on the way. */
  private waitFor(id: number, waitMs: number): EtcdWorkerReply | undefined {
    const deadlineMs = Date.now() + waitMs;
    for (let wakeup = 0; wakeup < WAKEUPS_MAX; wakeup++) {
      const seen = Atomics.load(this.signal, 0);
      for (let message = receiveMessageOnPort(this.port!); message !== undefined; message = receiveMessageOnPort(this.port!)) {
        const reply = message.message as EtcdWorkerReply;
        if (reply.id === id) return reply;
      }
      const remainingMs = deadlineMs - Date.now();
      if (remainingMs <= 0) return undefined;
      Atomics.wait(this.signal, 0, seen, remainingMs);
    }
    assert(false, `etcd client woke ${WAKEUPS_MAX} times for one reply`);
  }
}

/**
 * The worker's module: `etcd-worker.js` beside this file when compiled (dist/src, and the CLI bundle's
 * dist/cli). From the sources, a worker's `--import tsx` is not applied to its main module on Node 20,
 * so a one-line script registers tsx first and then imports the TypeScript file.
 */
function workerEntry(): [string | URL, { eval?: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./etcd-worker.js', import.meta.url), {}];
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./etcd-worker.ts', import.meta.url).href;
  return [`import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`, { eval: true }];
}

/** The worker's own deadline ends the request; this covers handing the answer across threads. */
const REPLY_MARGIN_MS = 250;
/** Starting a thread and loading the gateway: tens of ms compiled, a second or so through tsx under load. */
const WORKER_START_MS_MAX = 15_000;
/** Each wakeup is a reply (ours or a late one) or the deadline: a handful per call. */
const WAKEUPS_MAX = 10_000;
