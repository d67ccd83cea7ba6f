import { strict as assert } from 'node:assert';
import { emptyManagerStatus, type ManagerStatus } from '../../src/common/manager-status.ts';
import { SimStoreWorld } from '../contract/sim-store-harness.ts';

const statusAtRound = (round: number): ManagerStatus => ({ ...emptyManagerStatus(), masterNode: 'node2', version: { lease: 1, round } });

describe('SimNodeStore: the simulated store as one node sees it', () => {
  it('a node with stale reads sees the manager and LRM status as they were; the others see them fresh', () => {
    const world = new SimStoreWorld('storage-cut');
    const writer = world.store('node2').status;
    world.elapse(1000);
    assert.equal(writer.writeManagerStatus(statusAtRound(1)).kind, 'written');
    assert.equal(writer.writeLrmStatus('node2', { state: 'active', mode: 'active', results: new Map(), timestampMs: 1 }).kind, 'written');
    world.elapse(10_000);
    writer.writeManagerStatus(statusAtRound(2));
    writer.writeLrmStatus('node2', { state: 'active', mode: 'active', results: new Map(), timestampMs: 2 });
    world.cluster.faults.of('node1').staleMs = 5000;
    const stale = world.store('node1').status;
    const manager = stale.readManagerStatus();
    assert.ok(manager.kind === 'ok' && manager.value.version?.round === 1, JSON.stringify(manager));
    const lrm = stale.readLrmStatus('node2');
    assert.ok(lrm.kind === 'ok' && lrm.value.timestampMs === 1);
    world.cluster.faults.of('node1').staleMs = 20_000;
    assert.equal(stale.readManagerStatus().kind, 'missing', 'before the first write');
    const fresh = world.store('node3').status.readManagerStatus();
    assert.ok(fresh.kind === 'ok' && fresh.value.version?.round === 2);
  });

  it('a master cut from the storage takes no command; it stays queued, with its time, for one that reaches the store', () => {
    const world = new SimStoreWorld('storage-cut');
    world.elapse(3000);
    world.cluster.commandQueue.enqueue('migrate vm:101 node3', 'scenario', world.cluster.timeMs);
    world.setBroken(true);
    const cut = world.store('node1').commands.take() as { kind: string; message: string };
    assert.ok(cut.kind === 'unavailable' && cut.message.includes('node1 is cut from the simulated store'), JSON.stringify(cut));
    assert.deepEqual(world.store('node2').commands.read(), [{ line: 'migrate vm:101 node3', queuedWallMs: 3000 }]);
    assert.deepEqual(world.store('node2').commands.take(), ['migrate vm:101 node3']);
    world.setBroken(false);
    assert.deepEqual(world.store('node1').commands.take(), []);
  });

  it('a slow store (past the renewal limit) is unavailable to every port, with the reason', () => {
    const world = new SimStoreWorld('storage-cut');
    world.cluster.faults.storeLatencyMs = 60_000;
    const store = world.store('node2');
    const read = store.status.readManagerStatus();
    assert.ok(read.kind === 'unavailable' && /answers in 60000 ms/.test(read.message), JSON.stringify(read));
    assert.equal(store.config.read('ha.cfg').kind, 'unavailable');
    assert.equal((store.configSignature() as { kind: string }).kind, 'unavailable');
  });
});
