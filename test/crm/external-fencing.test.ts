import assert from 'node:assert/strict';
import type { FenceJobResult, LrmStatus } from '../../src/common/lrm-status.ts';
import type { TraceBody } from '../../src/common/trace.ts';
import type { FenceConfig, FenceDevice } from '../../src/fence/fence-config.ts';
import { config, harness, membership, vm } from './manager-harness.ts';

/** The master's side of external fencing, driven round by round with hand-made proxy statuses. */

function device(id: string, agent = 'fence_dummy'): FenceDevice {
  return { id, name: id.split(':')[0]!, agent, options: {}, line: 1 };
}

function fenceConfig(devices: FenceDevice[], extra: Partial<FenceConfig> = {}): FenceConfig {
  const connects = devices.map((d) => ({ deviceId: d.id, node: 'node3', options: { plug: '3' }, line: 2 }));
  return { devices, connects, nodes: {}, proxyOrder: [], ...extra };
}

function lrm(results: FenceJobResult[] = []): LrmStatus {
  return { state: 'active', mode: 'active', results: new Map(), timestampMs: 0, fenceResults: new Map(results.map((r) => [r.uid, r])) };
}

/** A cluster where node3 dropped out at 0 and the master runs every 10 s. */
function lostNode3(fence: FenceConfig) {
  const h = harness();
  const resources = config({ 'vm:103': vm('node3') });
  const haConfig = { ...resources, fence };
  const statuses = new Map<string, LrmStatus>([['node1', lrm()], ['node2', lrm()]]);
  const leaseTakes: string[] = [];
  let canTakeLease = false; // the lease path proves nothing here unless a test says so: these tests are about the other proofs
  const run = (nowMs: number, members = ['node1', 'node2']) =>
    h.round({ nowMs, membership: membership(members), config: haConfig, lrmStatuses: statuses }, (node) => {
      leaseTakes.push(node);
      return canTakeLease;
    });
  run(0, ['node1', 'node2', 'node3']);
  return { h, statuses, run, leaseTakes, letLeaseBeTaken: () => void (canTakeLease = true) };
}

function answer(statuses: Map<string, LrmStatus>, h: ReturnType<typeof harness>, node: string, ok: boolean, reason?: string): void {
  const attempt = Object.values(h.manager.status.fencing ?? {})[0]!;
  const target = Object.keys(h.manager.status.fencing ?? {})[0]!;
  assert.equal(attempt.proxy, node, 'the job was asked of this proxy');
  statuses.set(node, lrm([{ uid: attempt.uid, target, action: attempt.action, level: attempt.level, ok, ...(reason ? { reason } : {}) }]));
}

const ofKind = <K extends TraceBody['ev']>(events: TraceBody[], ev: K) => events.filter((e): e is Extract<TraceBody, { ev: K }> => e.ev === ev);

describe('Manager: external fencing (fence levels run by a proxy)', () => {
  it('fences a node with a level a round after it is lost, recovers on the agent proof at once, and powers it on once it holds its lease', () => {
    const { h, statuses, run, leaseTakes, letLeaseBeTaken } = lostNode3(fenceConfig([device('ipmi', 'fence_ipmilan')]));
    run(10_000); // node3 unknown
    run(20_000); // a round later: fenced, a proxy asked
    assert.equal(h.manager.nodes.stateOf('node3'), 'fence');
    assert.deepEqual(ofKind(h.events, 'fence-request').map((e) => [e.target, e.action, e.level, e.proxy]), [['node3', 'off', 0, 'node1']]);
    run(30_000); // no result yet: nothing recovered, nothing asked again
    assert.equal(h.manager.status.serviceStatus.get('vm:103')!.state, 'fence');
    answer(statuses, h, 'node1', true);
    run(40_000);
    assert.deepEqual(ofKind(h.events, 'fence-ack').map((e) => [e.target, e.proof]), [['node3', 'agent']]);
    assert.equal(h.manager.status.serviceStatus.get('vm:103')!.node !== 'node3', true, 'recovered elsewhere');
    assert.equal(h.manager.status.lastFence?.['node3']?.proof, 'agent');
    assert.deepEqual([h.manager.status.fencing?.['node3']?.action, h.manager.status.fencing?.['node3']?.uid], ['on', ''], 'the power-on waits for the lease');
    run(50_000);
    assert.equal(h.manager.status.fencing?.['node3']?.uid, '', 'still held by the node as far as the master can tell');
    assert.ok(leaseTakes.includes('node3'));
    letLeaseBeTaken();
    run(60_000);
    assert.deepEqual(ofKind(h.events, 'fence-request').map((e) => e.action), ['off', 'on']);
    assert.notEqual(h.manager.status.fencing?.['node3']?.uid, '');
  });

  it('moves to the next level on a failure, and counts a failed pass after the last, never recovering on one', () => {
    const { h, statuses, run } = lostNode3(fenceConfig([device('ipmi', 'fence_ipmilan'), device('pdu:1'), device('pdu:2')]));
    run(10_000);
    run(20_000);
    answer(statuses, h, 'node1', false, 'BMC unreachable');
    run(30_000);
    assert.equal(h.manager.status.fencing?.['node3']?.level, 1, 'level 2: the two PDUs');
    assert.match(h.manager.status.fencing?.['node3']?.lastError ?? '', /level 1 \(ipmi\): BMC unreachable/);
    answer(statuses, h, 'node1', false, 'pdu 2 failed');
    run(40_000);
    assert.deepEqual([h.manager.status.fencing?.['node3']?.level, h.manager.status.fencing?.['node3']?.failedPasses], [0, 1]);
    assert.equal(h.manager.status.serviceStatus.get('vm:103')!.state, 'fence');
    assert.equal(ofKind(h.events, 'fence-ack').length, 0);
    assert.deepEqual(ofKind(h.events, 'fence-result').map((e) => e.result), ['failed', 'failed']);
  });

  it('asks another proxy when the one asked is lost, and takes the proxy order of fence.cfg', () => {
    const { h, run } = lostNode3(fenceConfig([device('ipmi', 'fence_ipmilan')], { proxyOrder: ['node2'] }));
    run(10_000);
    run(20_000);
    assert.equal(h.manager.status.fencing?.['node3']?.proxy, 'node2');
    run(30_000, ['node1']);
    run(40_000, ['node1']);
    assert.equal(h.manager.status.fencing?.['node3']?.proxy, 'node1');
  });

  it('gives a kdump level the kdump proof and powers nothing on', () => {
    const { h, statuses, run } = lostNode3(fenceConfig([device('kdump', 'fence_kdump')]));
    run(10_000);
    run(20_000);
    answer(statuses, h, 'node1', true);
    run(30_000);
    assert.deepEqual(ofKind(h.events, 'fence-ack').map((e) => e.proof), ['kdump']);
    assert.equal(h.manager.status.fencing, undefined);
  });

  it('never takes the lease of a node without a watchdog, and waits for a level or an operator', () => {
    const fence = fenceConfig([device('ipmi', 'fence_ipmilan')], { nodes: { node3: { watchdog: 'none', line: 3 } } });
    const { h, run, leaseTakes } = lostNode3(fence);
    for (let t = 10_000; t <= 200_000; t += 10_000) run(t);
    assert.deepEqual(leaseTakes, []);
    assert.equal(h.manager.status.serviceStatus.get('vm:103')!.state, 'fence');
  });

  it('never takes the lease of a node whose LRM says it runs without a watchdog, whatever fence.cfg says now', () => {
    const { h, run, leaseTakes, statuses } = lostNode3(fenceConfig([device('ipmi', 'fence_ipmilan')]));
    statuses.set('node3', { ...lrm(), withoutWatchdog: true });
    for (let t = 10_000; t <= 200_000; t += 10_000) run(t);
    assert.deepEqual(leaseTakes, []);
    assert.equal(h.manager.status.serviceStatus.get('vm:103')!.state, 'fence');
  });

  it('without a level for the node, leaves it to the lease path after the fence delay', () => {
    const fence = fenceConfig([device('ipmi', 'fence_ipmilan')], {});
    const { h, run, leaseTakes } = lostNode3({ ...fence, connects: [] });
    run(10_000);
    run(20_000);
    assert.equal(h.manager.nodes.stateOf('node3'), 'unknown', 'the fence delay (60 s) still runs');
    for (let t = 30_000; t <= 70_000; t += 10_000) run(t);
    assert.equal(h.manager.nodes.stateOf('node3'), 'fence');
    assert.ok(leaseTakes.includes('node3'));
    assert.equal(h.manager.status.fencing, undefined);
  });
});

describe('Manager: soft fencing', () => {
  const soft = (grace: number) =>
    fenceConfig([device('ipmi', 'fence_ipmilan')], { nodes: { node3: { watchdog: 'default', softCheck: 'true', softFence: 'restart', softGraceS: grace, line: 3 } } });

  it('asks for a soft fence once when the node is lost, and holds the hard fence for the grace', () => {
    const { h, run } = lostNode3(soft(30));
    run(10_000);
    assert.deepEqual(ofKind(h.events, 'fence-request').map((e) => e.action), ['soft']);
    run(20_000);
    assert.equal(h.manager.nodes.stateOf('node3'), 'unknown', 'within the grace (30 s from when it was last seen, at 0)');
    run(30_000);
    assert.equal(h.manager.nodes.stateOf('node3'), 'fence', 'grace over: the hard fence');
    assert.deepEqual(ofKind(h.events, 'fence-request').map((e) => e.action), ['soft', 'off']);
  });

  it('keeps a node that comes back within the grace: nothing fenced, nothing moved', () => {
    const { h, run } = lostNode3(soft(30));
    run(10_000);
    run(20_000, ['node1', 'node2', 'node3']);
    run(30_000, ['node1', 'node2', 'node3']);
    assert.equal(h.manager.nodes.stateOf('node3'), 'online');
    assert.equal(h.manager.status.serviceStatus.get('vm:103')!.state, 'started');
    assert.equal(ofKind(h.events, 'fence').length, 0);
  });

  it('ends the grace at once when the soft fence finds the host not answering', () => {
    const { h, statuses, run } = lostNode3(soft(30));
    run(10_000);
    answer(statuses, h, 'node1', false, 'host does not answer');
    run(20_000);
    run(30_000);
    assert.equal(h.manager.nodes.stateOf('node3'), 'fence');
  });
});
