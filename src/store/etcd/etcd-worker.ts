import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { EtcdGateway, type EtcdConnectionOptions, type GatewayAnswer } from './etcd-gateway.ts';

/**
 * The thread that talks to etcd for EtcdSyncClient (etcd-sync-client.ts): it runs the asynchronous
 * gateway while the caller's thread blocks in Atomics.wait. Every answer goes on the port first and
 * then bumps the shared counter, so a caller that reads the counter before draining the port never
 * misses one.
 */
export interface EtcdWorkerData {
  readonly options: EtcdConnectionOptions;
  readonly signal: SharedArrayBuffer;
  readonly port: MessagePort;
}

export interface EtcdWorkerRequest {
  readonly id: number;
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly timeoutMs: number;
}

export type EtcdWorkerReply = { readonly id: number; readonly answer: GatewayAnswer };

/** Id of the one reply that is not an answer: the worker is ready, or could not start (its answer says why). */
export const READY_ID = 0;

function main(data: EtcdWorkerData): void {
  const signal = new Int32Array(data.signal);
  const reply = (message: EtcdWorkerReply) => {
    data.port.postMessage(message);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  let gateway: EtcdGateway;
  try {
    gateway = new EtcdGateway(data.options);
  } catch (error) {
    reply({ id: READY_ID, answer: { kind: 'unavailable', message: `etcd client: ${(error as Error).message}` } });
    return;
  }
  data.port.on('message', (request: EtcdWorkerRequest) => {
    void gateway.post(request.path, request.body, request.timeoutMs).then(
      (answer) => reply({ id: request.id, answer }),
      (error: unknown) => reply({ id: request.id, answer: { kind: 'unavailable', message: `etcd client: ${(error as Error).message}` } }),
    );
  });
  reply({ id: READY_ID, answer: { kind: 'ok', json: {} } });
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'signal' in workerData) main(workerData as EtcdWorkerData);
