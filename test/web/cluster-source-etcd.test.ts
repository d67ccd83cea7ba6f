import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST_TIMING, haCfgText, resourcesCfgText } from '../../src/cluster/cluster-config.ts';
import { LocalEtcdCluster } from '../../src/cluster/etcd-members.ts';
import { EtcdClusterStore } from '../../src/store/etcd/etcd-cluster-store.ts';
import { ClusterSource } from '../../src/web/cluster-source.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';

/** The console's cluster side on etcd: status, actions and config changes through the store, no path anywhere. */
describe('web: the live cluster source on etcd (real 3-member etcd, no daemons)', function () {
  this.timeout(120_000);
  let cluster: LocalEtcdCluster | undefined;
  let root: string;
  let store: EtcdClusterStore;
  let source: ClusterSource;
  before(async function () {
    skipWithoutEtcd(this, 'the console on etcd');
    cluster = await LocalEtcdCluster.start();
    root = mkdtempSync(join(tmpdir(), 'ha-web-etcd-'));
    store = new EtcdClusterStore({ endpoints: cluster.endpoints }, cluster.prefix);
    assert.equal(store.setUp(), 'ready');
    assert.equal(store.config.write('ha.cfg', haCfgText(FAST_TIMING, 'conditional', ['node1', 'node2']), undefined).kind, 'written');
    assert.equal(store.config.write('resources.cfg', resourcesCfgText([{ sid: 'vm:100', node: 'node1' }]), undefined).kind, 'written');
    source = new ClusterSource({ store, stateDir: join(root, 'state'), node: 'node1', journalPollMs: 60_000 });
  });
  after(async () => {
    await source?.close();
    await cluster?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('shows the config and queues actions in etcd; a refusal names no path', () => {
    const report = source.status();
    assert.deepEqual(report.services.map((service) => [service.sid, service.node, service.requestedState]), [['vm:100', 'node1', 'started']]);
    assert.deepEqual(report.nodes.map((node) => node.node), ['node1', 'node2']);
    assert.equal(source.act({ kind: 'migrate', sid: 'vm:100', node: 'node2' }, 'web@127.0.0.1').kind, 'done');
    const queued = store.commands.read();
    assert.ok(!('kind' in queued));
    assert.deepEqual(queued.map((command) => command.line), ['migrate vm:100 node2']);
    assert.equal(source.act({ kind: 'set-state', sid: 'vm:100', state: 'disabled' }, 'web@127.0.0.1').kind, 'done');
    assert.equal(source.status().services[0]?.requestedState, 'disabled');
    const refused = source.act({ kind: 'migrate', sid: 'vm:100', node: 'node9' }, 'web@127.0.0.1');
    assert.equal(refused.kind, 'refused');
    assert.doesNotMatch(refused.message, /\/tmp\//);
  });

  it("hears of a config change through the store's watch", async () => {
    let changes = 0;
    const stop = source.onChange(() => changes++);
    const read = store.config.read('resources.cfg');
    assert.equal(read.kind, 'ok');
    if (read.kind !== 'ok') return;
    assert.equal(store.config.write('resources.cfg', `${read.text}vm: 101\n\tnode node2\n\n`, read.version).kind, 'written');
    const deadlineMs = Date.now() + 10_000;
    while (changes === 0 && Date.now() < deadlineMs) await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    assert.ok(changes > 0, 'no change notice within 10 s');
    assert.deepEqual(source.status().services.map((service) => service.sid), ['vm:100', 'vm:101']);
  });
});
