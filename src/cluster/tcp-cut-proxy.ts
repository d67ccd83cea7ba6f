import { Worker } from 'node:worker_threads';

/**
 * TCP proxies in front of etcd's client ports, one per endpoint, that a test cuts and repairs: how one
 * node of a contract test loses the store while the others keep it (the dir store's harness injects
 * EIO instead). The proxies run in a worker thread because the store's calls block the test's own
 * thread; the cut is a shared flag that the proxy checks on every connection and every chunk, so a
 * call made after `setCut(true)` returns is refused, keep-alive connections included.
 */
export interface CutProxies {
  /** `http://127.0.0.1:<port>` per target, in the targets' order. */
  readonly endpoints: readonly string[];
  setCut(isCut: boolean): void;
  close(): Promise<void>;
}

const PROXY_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const flag = new Int32Array(workerData.flag);
const isCut = () => Atomics.load(flag, 0) === 1;
const sockets = new Set();
const servers = workerData.targets.map(({ host, port }) => net.createServer((client) => {
  if (isCut()) return client.destroy();
  const upstream = net.connect(port, host);
  sockets.add(client); sockets.add(upstream);
  const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
  client.on('data', (chunk) => (isCut() ? end() : upstream.write(chunk)));
  upstream.on('data', (chunk) => (isCut() ? end() : client.write(chunk)));
  client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end);
}));
let listening = 0;
const ports = [];
servers.forEach((server, index) => server.listen(0, '127.0.0.1', () => {
  ports[index] = server.address().port;
  if (++listening === servers.length) parentPort.postMessage({ ports });
}));
setInterval(() => { if (isCut()) for (const socket of sockets) socket.destroy(); }, 20);
`;

export async function startCutProxies(targets: readonly string[]): Promise<CutProxies> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const parsed = targets.map((target) => {
    const url = new URL(target);
    return { host: url.hostname, port: Number(url.port) };
  });
  const worker = new Worker(PROXY_SOURCE, { eval: true, workerData: { targets: parsed, flag: flag.buffer } });
  worker.unref();
  const { ports } = await new Promise<{ ports: number[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    endpoints: ports.map((port) => `http://127.0.0.1:${port}`),
    setCut: (isCut) => Atomics.store(flag, 0, isCut ? 1 : 0),
    close: async () => void (await worker.terminate()),
  };
}
