import { strict as assert } from 'node:assert';
import type { LrmStatus } from '../../src/common/lrm-status.ts';
import { LeaseProofs } from '../../src/crm/fence-proofs.ts';
import { config, harness, membership, vm } from './manager-harness.ts';

/** node3's LRM reported `result` for the service's current request. */
function reported(uid: string, sid = 'vm:103', request = 'started'): ReadonlyMap<string, LrmStatus> {
  return new Map([['node3', { state: 'active', mode: 'active', results: new Map([[uid, { sid, request, result: 0 as const }]]), timestampMs: 0 }]]);
}

const LOST = membership(['node1', 'node2']);

describe('Fence proofs: a free lease proves nothing about a service that may run unmanaged', () => {
  it('a service put under HA is unconfirmed until its node\'s LRM reports on it', () => {
    const { manager, round } = harness();
    round({ nowMs: 0 }, () => false);
    const service = manager.status.serviceStatus.get('vm:103')!;
    assert.equal(service.mayRunUnmanaged, true, 'added: it may already run on node3');
    round({ nowMs: 3_000, lrmStatuses: new Map([['node2', reported(service.uid).get('node3')!]]) }, () => false);
    assert.equal(service.mayRunUnmanaged, true, 'a result from another node confirms nothing');
    round({ nowMs: 6_000, lrmStatuses: reported(service.uid) }, () => false);
    assert.equal(service.mayRunUnmanaged, false);
  });

  it('a never-seen node fenced on its free lease: the service waits for the node, is not fenced again, and goes back to it', () => {
    const { manager, events, round } = harness();
    round({ nowMs: 0, membership: LOST }, () => false);
    round({ nowMs: 61_000, membership: LOST }, () => 'free');
    const service = manager.status.serviceStatus.get('vm:103')!;
    assert.deepEqual([service.state, service.node, service.isWaitingForNode], ['fence', 'node3', true]);
    assert.equal(events.filter((event) => event.ev === 'recover').length, 0, 'never recovered on a guess');
    assert.ok(events.some((event) => event.ev === 'fence-wait' && event.sid === 'vm:103' && event.target === 'node3'));
    assert.ok(events.some((event) => event.ev === 'fence-ack' && event.proof === 'free'));
    const later = round({ nowMs: 200_000, membership: LOST }, () => 'free');
    assert.deepEqual(later.asked, [], 'a waiting service is no reason to fence its node again (its LRM needs the lease back)');
    round({ nowMs: 210_000 }, () => false);
    assert.deepEqual([service.state, service.node, service.isWaitingForNode, service.mayRunUnmanaged], ['started', 'node3', false, true]);
  });

  it('a reset covers it: the node\'s own lease, seen unchanged for the whole timeout, ended everything on it', () => {
    const { manager, events, round } = harness();
    round({ nowMs: 0, membership: LOST }, () => false);
    round({ nowMs: 61_000, membership: LOST }, () => 'reset');
    const service = manager.status.serviceStatus.get('vm:103')!;
    assert.deepEqual([service.state, service.node], ['started', 'node1']);
    assert.deepEqual(events.filter((event) => event.ev === 'recover').map((event) => event.ev === 'recover' && event.from), ['node3']);
  });

  it('a free lease covers a service its node\'s LRM knew of: that LRM stopped it before letting the lease go', () => {
    const { manager, round } = harness();
    round({ nowMs: 0 }, () => false);
    round({ nowMs: 3_000, lrmStatuses: reported(manager.status.serviceStatus.get('vm:103')!.uid) }, () => false);
    round({ nowMs: 6_000, membership: LOST }, () => false);
    round({ nowMs: 70_000, membership: LOST }, () => 'free');
    const service = manager.status.serviceStatus.get('vm:103')!;
    assert.deepEqual([service.state, service.node], ['started', 'node1']);
  });

  it('a lease this master took earlier proves what that take proved', () => {
    const proofs = new LeaseProofs();
    assert.equal(proofs.proofOf('node3', 'held'), 'free', 'held without a take of its own: nothing more than free');
    assert.equal(proofs.proofOf('node3', 'reset'), 'reset');
    assert.equal(proofs.proofOf('node3', 'held'), 'reset');
    assert.equal(proofs.proofOf('node3', 'refused'), undefined);
    assert.equal(proofs.proofOf('node3', 'free'), 'free');
    assert.equal(proofs.proofOf('node3', 'held'), 'free');
  });
});

describe('Moves: the master sees where a service ends up', () => {
  const active = (node: string, uid: string, request: string): ReadonlyMap<string, LrmStatus> =>
    new Map([[node, { state: 'active', mode: 'active', results: new Map([[uid, { sid: 'vm:101', request, result: 0 as const }]]), timestampMs: 0 }]]);

  /** vm:101 runs on `source` (its LRM confirmed it) and is migrating to `target`. */
  function migrating(source: string, target: string) {
    const resources = { 'vm:101': vm(source) };
    const h = harness();
    h.round({ nowMs: 0, config: config(resources) }, () => false);
    const service = h.manager.status.serviceStatus.get('vm:101')!;
    h.round({ nowMs: 3_000, config: config(resources), lrmStatuses: active(source, service.uid, 'started') }, () => false);
    h.round({ nowMs: 6_000, config: config(resources), takeCommands: () => [`migrate vm:101 ${target}`] }, () => false);
    assert.deepEqual([service.state, service.target, service.mayRunUnmanaged], ['migrate', target, false]);
    return { ...h, service, resources };
  }

  it('an online migration leaves the service unconfirmed on its target until that LRM reports', () => {
    const { round, service, resources } = migrating('node1', 'node2');
    round({ nowMs: 9_000, config: config(resources), lrmStatuses: active('node1', service.uid, 'migrate') }, () => false);
    assert.deepEqual([service.state, service.node, service.mayRunUnmanaged], ['started', 'node2', true]);
  });

  it('a service set ignored during its move is kept until the move ends, its new node recorded, then let go', () => {
    const { manager, events, round, service, resources } = migrating('node1', 'node2');
    const ignored = { ...config({ 'vm:101': { ...resources['vm:101'], state: 'ignored' } }), generation: 1 };
    round({ nowMs: 9_000, config: ignored }, () => false);
    assert.equal(manager.status.serviceStatus.get('vm:101'), service, 'kept while the move runs');
    const done = round({ nowMs: 12_000, config: ignored, lrmStatuses: active('node1', service.uid, 'migrate') }, () => false);
    assert.equal(manager.status.serviceStatus.has('vm:101'), false, 'released once the move ended');
    assert.deepEqual(done.output.resourceUpdates, [{ sid: 'vm:101', patch: { node: 'node2' } }], 'its node recorded: a later `started` finds it there');
    assert.ok(events.some((event) => event.ev === 'service-remove' && event.sid === 'vm:101' && event.reason === 'ignored'));
  });

  it('a source lost during an online move: recovered on the move\'s target, where it may run, not on the emptiest node', () => {
    const { events, round, service, resources } = migrating('node3', 'node2');
    const lost = membership(['node1', 'node2']);
    round({ nowMs: 9_000, config: config(resources), membership: lost }, () => false);
    round({ nowMs: 80_000, config: config(resources), membership: lost }, () => 'reset');
    assert.deepEqual([service.state, service.node, service.mayRunUnmanaged], ['started', 'node2', true]);
    assert.deepEqual(events.filter((event) => event.ev === 'recover'), [{ ev: 'recover', sid: 'vm:101', from: 'node3', to: 'node2' }]);
  });

  it('a source and a target both lost during an online move: it waits for the target, never started elsewhere', () => {
    const { events, round, service, resources } = migrating('node3', 'node2');
    const bothLost = { isQuorate: true, nodes: ['node1', 'node2', 'node3'], isMember: (node: string) => node === 'node1' };
    round({ nowMs: 9_000, config: config(resources), membership: bothLost }, () => false);
    round({ nowMs: 80_000, config: config(resources), membership: bothLost }, () => 'reset');
    assert.deepEqual([service.state, service.node], ['recovery', 'node3']);
    assert.ok(!events.some((event) => event.ev === 'recover'));
    assert.ok(events.some((event) => event.ev === 'recover-failed' && /target of its move/.test(event.reason ?? '')));
    round({ nowMs: 90_000, config: config(resources), membership: membership(['node1', 'node2']) }, () => 'reset');
    assert.deepEqual([service.state, service.node], ['started', 'node2']);
  });
});
