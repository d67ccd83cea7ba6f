import { strict as assert } from 'node:assert';
import { EtcdKeys } from '../../src/store/etcd/etcd-keys.ts';
import { encode, prefixEnd } from '../../src/store/etcd/etcd-wire.ts';
import { EtcdLeaseStore } from '../../src/store/etcd/etcd-lease-store.ts';
import { EtcdSyncClient } from '../../src/store/etcd/etcd-sync-client.ts';
import { isEtcdInstalled, LocalEtcdCluster } from '../../src/cluster/etcd-members.ts';
import type { LeaseStoreHarness } from './lease-store.contract.ts';
import { startCutProxies, type CutProxies } from '../../src/cluster/tcp-cut-proxy.ts';

/**
 * One real 3-member etcd for a whole contract suite, with per node a client that reaches it through
 * that node's own cuttable proxies (`setBroken`). Each harness (each test) gets a key prefix of its
 * own, so tests share the cluster and the clients' worker threads but never a key.
 */
/** Whether etcd is installed; on CI (CI set) a missing etcd is a failure, not a skip. */
export function etcdAvailability(): 'available' | 'skip' {
  if (isEtcdInstalled()) return 'available';
  if (process.env.CI) throw new Error('etcd is not installed on CI: build/test-tools.sh installs etcd-server and etcd-client');
  return 'skip';
}

/**
 * In a suite's `before`: skips it where etcd is not installed, saying plainly what did not run (on CI
 * a missing etcd is a failure: etcdAvailability throws).
 */
export function skipWithoutEtcd(context: Mocha.Context, what: string): void {
  if (etcdAvailability() === 'available') return;
  console.log(`      SKIPPED: etcd is not installed (apt-get install etcd-server etcd-client); ${what} did not run`);
  context.skip();
}

export interface EtcdWorld {
  readonly cluster: LocalEtcdCluster;
  client(node: string): EtcdSyncClient;
  /** The endpoints of the node's cuttable proxies (for a store or gateway of its own). */
  endpoints(node: string): readonly string[];
  setBroken(node: string, isBroken: boolean): void;
  /** A fresh prefix under the cluster's. */
  freshKeys(): EtcdKeys;
  close(): Promise<void>;
}

const CONTRACT_NODES = ['a', 'b', 'c'];

export async function startEtcdWorld(nodes: readonly string[] = CONTRACT_NODES): Promise<EtcdWorld> {
  const cluster = await LocalEtcdCluster.start();
  const proxies = new Map<string, CutProxies>();
  const clients = new Map<string, EtcdSyncClient>();
  for (const node of nodes) {
    const proxy = await startCutProxies(cluster.endpoints);
    proxies.set(node, proxy);
    clients.set(node, new EtcdSyncClient({ endpoints: proxy.endpoints }));
  }
  let runs = 0;
  return {
    cluster,
    client: (node) => clients.get(node) ?? fail(`No etcd client for node '${node}' (nodes: ${nodes.join(', ')})`),
    endpoints: (node) => (proxies.get(node) ?? fail(`No proxy for node '${node}'`)).endpoints,
    setBroken: (node, isBroken) => (proxies.get(node) ?? fail(`No proxy for node '${node}'`)).setCut(isBroken),
    freshKeys: () => new EtcdKeys(`${cluster.prefix}run${runs++}/`),
    close: async () => {
      for (const client of clients.values()) client.close();
      for (const proxy of proxies.values()) await proxy.close();
      await cluster.stop();
    },
  };
}

function fail(message: string): never {
  throw new Error(message);
}

/** Lease stores of one run on the world's cluster; a restarted daemon gets a new instance (same client). */
export function etcdLeaseHarness(world: () => EtcdWorld, leaseTimeoutMs: number): LeaseStoreHarness {
  const keys = world().freshKeys();
  for (const node of CONTRACT_NODES) world().setBroken(node, false);
  const store = (node: string) => new EtcdLeaseStore({ client: world().client(node), keys, node, leaseTimeoutMs, wallClockMs: () => 1_700_000_000_000 });
  return { store, restart: store, setBroken: (node, isBroken) => world().setBroken(node, isBroken), cleanup: () => {} };
}

/**
 * Wraps suites that need the world: starts it before them and stops it after; skips them, saying so,
 * where etcd is not installed (on CI that is a failure: etcdAvailability throws).
 */
export function withEtcdWorld(title: string, body: (world: () => EtcdWorld) => void, nodes: readonly string[] = CONTRACT_NODES): void {
  describe(title, function () {
    let world: EtcdWorld | undefined;
    before(async function () {
      skipWithoutEtcd(this, 'the etcd cases');
      world = await startEtcdWorld(nodes);
    });
    after(async () => world?.close());
    body(() => world ?? fail('The etcd world is not started'));
  });
}

/**
 * Users on a test cluster: root (etcd requires it before auth is enabled) and `ha` (password
 * `ha-secret`), allowed read-write under the cluster's prefix only; then auth on.
 */
export async function enableEtcdAuth(cluster: LocalEtcdCluster): Promise<void> {
  const member = cluster.members[0]!;
  const calls: Array<[string, Record<string, unknown>]> = [
    ['/v3/auth/role/add', { name: 'root' }],
    ['/v3/auth/user/add', { name: 'root', password: 'root-secret' }],
    ['/v3/auth/user/grant', { user: 'root', role: 'root' }],
    ['/v3/auth/role/add', { name: 'ha' }],
    ['/v3/auth/role/grant', { name: 'ha', perm: { permType: 'READWRITE', key: encode(cluster.prefix), range_end: encode(prefixEnd(cluster.prefix)) } }],
    ['/v3/auth/user/add', { name: 'ha', password: 'ha-secret' }],
    ['/v3/auth/user/grant', { user: 'ha', role: 'ha' }],
    ['/v3/auth/enable', {}],
  ];
  for (const [path, body] of calls) assert.ok(await cluster.post(member, path, body), `${path} failed`);
  cluster.options.auth = { user: 'root', password: 'root-secret' };
}
