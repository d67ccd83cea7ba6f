import { strict as assert } from 'node:assert';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { LocalEtcdCluster } from '../../src/cluster/etcd-members.ts';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { ResourceUpdateWriter } from '../../src/env/resource-update-writer.ts';
import { EtcdClusterStore } from '../../src/store/etcd/etcd-cluster-store.ts';
import type { ConfigChange, ConfigFileName } from '../../src/store/store-ports.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';

const RESOURCES = 'vm: 101\n\tnode node1\n\tstate started\n\nvm: 102\n\tnode node2\n\tstate started\n';

/**
 * The master's resources.cfg writer on a real etcd: its compare-and-set loses to an operator's edit that
 * lands between its read and its write (a real second writer, made to land there by wrapping writeAll),
 * says so once, retries after the round, and keeps both edits.
 */
describe('ResourceUpdateWriter on a real etcd: a concurrent edit is a conflict, retried, never lost', function () {
  this.timeout(60_000);
  let cluster: LocalEtcdCluster | undefined;
  const opened: EtcdClusterStore[] = [];
  before(async function () {
    skipWithoutEtcd(this, 'the etcd cases');
    cluster = await LocalEtcdCluster.start({ size: 1 });
  });
  after(async () => {
    for (const store of opened.splice(0)) store.close();
    await cluster?.stop();
  });

  it('an operator edit between the read and the write: conflict said once, retried, both edits kept', async () => {
    const daemon = new EtcdClusterStore({ endpoints: cluster!.endpoints }, `${cluster!.prefix}writer/`);
    const operator = new EtcdClusterStore({ endpoints: cluster!.endpoints }, daemon.keys.prefix);
    opened.push(daemon, operator);
    assert.equal(operator.setUp(), 'ready');
    const edit = (file: ConfigFileName, change: (text: string) => string) => {
      const current = operator.config.read(file);
      const text = current.kind === 'ok' ? current.text : '';
      assert.equal(operator.config.write(file, change(text), current.kind === 'ok' ? current.version : undefined).kind, 'written');
    };
    edit('ha.cfg', () => 'ha: cluster\n\tfence_timeout 10\n');
    edit('resources.cfg', () => RESOURCES);
    // The first write of the daemon's store finds the operator's edit landed after its read.
    let writes = 0;
    const writeAll = daemon.config.writeAll.bind(daemon.config);
    daemon.config.writeAll = (changes: readonly ConfigChange[]) => {
      if (writes++ === 0) edit('resources.cfg', (text) => text.replace('vm: 102\n\tnode node2\n\tstate started\n', 'vm: 102\n\tnode node2\n\tstate stopped\n'));
      return writeAll(changes);
    };
    const problems: string[] = [];
    const written: string[][] = [];
    const writer = new ResourceUpdateWriter({
      store: daemon,
      mayWrite: () => true,
      onWritten: (sids) => written.push([...sids]),
      onProblem: (message) => problems.push(message),
      nowMs: () => Math.floor(performance.now()),
    });
    assert.equal(daemon.probe(), 'ready'); // the client's worker thread is up: the attempt below takes milliseconds
    try {
      writer.enqueue('vm:101', { node: 'node2' });
      assert.equal(writer.writeNow(), false, 'the first attempt lost the compare-and-set');
      assert.equal(problems.length, 1, problems.join(' / '));
      const said = `(retrying, rounds go on): etcd:${daemon.keys.config('resources.cfg')} changed while it was written (a concurrent edit); tried again every 2 s at most, said again after 30 s`;
      assert.ok(/^Resource updates of 1 services waiting [0-9] s /.test(problems[0]!) && problems[0]!.endsWith(said), problems[0]);
      await pollUntil('the retried write', 10_000, () => writer.pendingCount === 0);
    } finally {
      writer.drop('the test is over'); // no retry timer outlives a failed test
    }
    assert.deepEqual(written, [['vm:101']]);
    const { resources } = loadHaConfig(operator).config;
    assert.deepEqual([resources['vm:101']?.node, resources['vm:102']?.state], ['node2', 'stopped'], "the master's record and the operator's edit, both");
    assert.equal(writes, 2);
  });
});
