import { strict as assert } from 'node:assert';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { LocalEtcdCluster } from '../../src/cluster/etcd-members.ts';
import { startCutProxies, type CutProxies } from '../../src/cluster/tcp-cut-proxy.ts';
import { NodeConfigSource } from '../../src/env/node-config.ts';
import { EtcdClusterStore } from '../../src/store/etcd/etcd-cluster-store.ts';
import type { ConfigFileName } from '../../src/store/store-ports.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';

/**
 * NodeConfigSource on a real etcd (one member: the config source's own behaviour is under test, not
 * etcd's replication): the daemon's store reaches etcd through a cuttable proxy, the operator's edits
 * go straight to etcd through a store of their own, as `ha-manager` on another node would.
 */
describe('NodeConfigSource on a real etcd: the config as a daemon sees it', function () {
  this.timeout(120_000);
  let cluster: LocalEtcdCluster | undefined;
  let proxies: CutProxies | undefined;
  let runs = 0;
  const opened: EtcdClusterStore[] = [];
  before(async function () {
    skipWithoutEtcd(this, 'the etcd cases');
    cluster = await LocalEtcdCluster.start({ size: 1 });
    proxies = await startCutProxies(cluster.endpoints);
  });
  after(async () => {
    await proxies?.close();
    await cluster?.stop();
  });
  afterEach(() => {
    proxies?.setCut(false);
    for (const store of opened.splice(0)) store.close();
  });

  /** A cluster set up under a fresh prefix: the daemon's store (through the proxy) and the operator's. */
  function setUpCluster(): { daemon: EtcdClusterStore; operator: EtcdClusterStore; write: (file: ConfigFileName, text: string) => void } {
    const prefix = `${cluster!.prefix}config-${runs++}/`;
    // A short deadline: a cut call fails after it, and the test waits for a few of them.
    const daemon = new EtcdClusterStore({ endpoints: [...proxies!.endpoints], callTimeoutMs: 1_000 }, prefix);
    const operator = new EtcdClusterStore({ endpoints: cluster!.endpoints }, prefix);
    opened.push(daemon, operator);
    assert.equal(operator.setUp(), 'ready');
    const write = (file: ConfigFileName, text: string) => {
      const current = operator.config.read(file);
      assert.notEqual(current.kind, 'unavailable');
      const written = operator.config.write(file, text, current.kind === 'ok' ? current.version : undefined);
      assert.equal(written.kind, 'written', `${file} written`);
    };
    write('ha.cfg', 'ha: cluster\n\tround 2s\n');
    write('resources.cfg', 'vm: 101\n\tnode node1\n');
    return { daemon, operator, write };
  }

  it('picks up a changed key by the watch, and by the per-round signature without one', async () => {
    const { daemon, write } = setUpCluster();
    const source = NodeConfigSource.load(daemon, () => {});
    assert.equal(source.timing.roundMs, 2_000);
    const first = source.read();
    assert.equal(first.resources['vm:101']?.node, 'node1');
    source.watch();
    try {
      write('resources.cfg', 'vm: 101\n\tnode node2\n');
      await pollUntil('the watched edit to be seen', 20_000, () => source.read().resources['vm:101']?.node === 'node2');
      assert.ok((source.read().generation ?? 0) > (first.generation ?? 0), 'a resource change bumps the generation');
    } finally {
      await source.close();
    }
    const unwatched = NodeConfigSource.load(daemon, () => {});
    unwatched.checkFiles();
    unwatched.read();
    write('resources.cfg', 'vm: 101\n\tnode node3\n');
    assert.equal(unwatched.read().resources['vm:101']?.node, 'node2', 'no watch, no check: not seen yet');
    unwatched.checkFiles();
    assert.equal(unwatched.read().resources['vm:101']?.node, 'node3', 'seen at the next round');
  });

  it('keeps the last good config when a key does not parse, and says which key and line', () => {
    const { daemon, write } = setUpCluster();
    const logged: string[] = [];
    const source = NodeConfigSource.load(daemon, (line) => logged.push(line));
    source.checkFiles();
    assert.equal(source.read().resources['vm:101']?.node, 'node1');
    write('resources.cfg', 'vm: 101\n\tnode node2\n\tbogus_option 1\n');
    source.checkFiles();
    assert.equal(source.read().resources['vm:101']?.node, 'node1', 'the last good config stays in force');
    source.checkFiles();
    source.read();
    assert.equal(logged.length, 1, 'said once, not every round');
    assert.ok(logged[0]!.startsWith(`Config not reloaded, keeping the last good one: etcd:${daemon.keys.config('resources.cfg')}:3: Unknown resource option 'bogus_option'`), logged[0]);
  });

  it('keeps the last good config while the node is cut from etcd (a missing key would read as empty), says the failing watch once, and takes the edit made meanwhile once back', async () => {
    const { daemon, write } = setUpCluster();
    const logged: string[] = [];
    const source = NodeConfigSource.load(daemon, (line) => logged.push(line));
    source.checkFiles();
    const good = source.read();
    source.watch();
    await new Promise((resolve) => setTimeout(resolve, 500)); // the watch is established
    proxies!.setCut(true);
    write('resources.cfg', 'vm: 101\n\tnode node2\n\nvm: 102\n\tnode node2\n');
    assert.notEqual(daemon.probe(), 'ready', 'the cut node cannot reach etcd');
    source.checkFiles();
    assert.equal(source.read(), good, 'the same config while cut');
    assert.equal(source.reload(), false, 'no reload while cut');
    const startMs = Date.now();
    for (let read = 0; read < 50; read++) source.read();
    assert.ok(Date.now() - startMs < 500, `reads in a round that found the store cut do not each wait for a deadline (${Date.now() - startMs} ms for 50)`);
    await pollUntil('the failing watch to be said', 20_000, () => logged.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the watch goes on retrying every endpoint meanwhile
    proxies!.setCut(false);
    source.checkFiles();
    assert.deepEqual(Object.keys(source.read().resources).sort(), ['vm:101', 'vm:102'], 'the edit made while cut, once back');
    await source.close();
    assert.equal(logged.length, 1, `said once: ${logged.join(' / ')}`);
    assert.match(logged[0]!, /^etcd watch of .*config\/: .*\(the config is still checked every round; the next watch problem is said after 60 s at the earliest\)$/);
  });
});
