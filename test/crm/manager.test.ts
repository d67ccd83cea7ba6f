import { strict as assert } from 'node:assert';
import { emptyManagerStatus } from '../../src/common/manager-status.ts';
import type { ResourceConfig } from '../../src/common/ha-config.ts';
import { config, harness, membership, vm } from './manager-harness.ts';

describe('Manager round: fencing and recovery', () => {
  it('recovers a lost node only after the fence is proven by its agent lease', () => {
    const { manager, events, round } = harness();
    round({ nowMs: 0 }, () => false);
    assert.equal(manager.status.serviceStatus.get('vm:103')!.state, 'started');
    const lost = membership(['node1', 'node2']);
    round({ nowMs: 10_000, membership: lost }, () => false);
    round({ nowMs: 30_000, membership: lost }, () => false);
    const waiting = round({ nowMs: 70_000, membership: lost }, () => false);
    assert.deepEqual([...new Set(waiting.asked.flat())], ['node3']);
    assert.equal(manager.status.serviceStatus.get('vm:103')!.state, 'fence');
    assert.equal(events.filter((event) => event.ev === 'recover').length, 0, 'no recovery without the lease');
    round({ nowMs: 200_000, membership: lost }, (node) => node === 'node3');
    const service = manager.status.serviceStatus.get('vm:103')!;
    assert.deepEqual([service.state, service.node], ['started', 'node1'], 'both survivors are empty: the first by name');
    const order = events.map((event) => event.ev).filter((ev) => ev === 'fence-ack' || ev === 'recover');
    assert.deepEqual(order, ['fence-ack', 'recover']);
  });

  it('a new master waits a full fence delay of its own before fencing', () => {
    const saved = emptyManagerStatus();
    saved.nodeStatus = { node1: 'online', node2: 'online', node3: 'unknown' };
    const { manager, round } = harness(saved);
    manager.status.serviceStatus.set('vm:103', { state: 'started', node: 'node3', uid: 'old', target: undefined, running: true, failedNodes: undefined, maintenanceNode: undefined, timeoutS: undefined, cmd: undefined, mayRunUnmanaged: false, isWaitingForNode: false, lastFailure: undefined });
    const lost = membership(['node1', 'node2']);
    assert.deepEqual(round({ nowMs: 1_000_000, membership: lost }, () => true).asked, []);
    assert.deepEqual(round({ nowMs: 1_059_000, membership: lost }, () => true).asked, []);
    assert.deepEqual(round({ nowMs: 1_060_000, membership: lost }, () => true).asked[0], ['node3']);
  });

  it('does not save anything when the master itself is not a member', () => {
    const { round } = harness();
    const result = round({ nowMs: 0, membership: membership(['node2', 'node3']) }, () => false);
    assert.equal(result.output.shouldSave, false);
  });
});

describe('Manager round: relocate policy', () => {
  it('moves a service whose start failed, then gives up in error after max_relocate', () => {
    const { manager, round } = harness();
    const resources = { 'ct:200': { node: 'node1', state: 'started' as const, maxRestart: 0, maxRelocate: 1 } };
    round({ nowMs: 0, config: config(resources) }, () => false);
    const failed = (node: string) => {
      const service = manager.status.serviceStatus.get('ct:200')!;
      const results = new Map([[service.uid, { sid: 'ct:200', request: 'started', result: 1 as const }]]);
      return new Map([[node, { state: 'active' as const, mode: 'active' as const, results, timestampMs: 0 }]]);
    };
    round({ nowMs: 20_000, config: config(resources), lrmStatuses: failed('node1') }, () => false);
    const moving = manager.status.serviceStatus.get('ct:200')!;
    assert.equal(moving.state, 'relocate');
    assert.deepEqual(moving.failedNodes, ['node1']);
    // The move succeeded: the service is started on its target, and fails there too.
    const target = moving.target!;
    const moved = { ...resources, 'ct:200': { ...resources['ct:200'], node: target } };
    const success = new Map([[ 'node1', { state: 'active' as const, mode: 'active' as const, results: new Map([[moving.uid, { sid: 'ct:200', request: 'relocate', result: 0 as const }]]), timestampMs: 0 } ]]);
    round({ nowMs: 40_000, config: config(moved), lrmStatuses: success }, () => false);
    assert.equal(manager.status.serviceStatus.get('ct:200')!.node, target);
    round({ nowMs: 60_000, config: config(moved), lrmStatuses: failed(target) }, () => false);
    const service = manager.status.serviceStatus.get('ct:200')!;
    assert.equal(service.state, 'error');
    assert.deepEqual(service.failedNodes, ['node1', target]);
  });
});

describe('Manager round: the master records where a service is', () => {
  const resources = { 'vm:101': { node: 'node1', state: 'started' as const, maxRestart: 1, maxRelocate: 1 } };
  const lrmResult = (node: string, uid: string, request: string, result: 0 | 1) =>
    new Map([[node, { state: 'active' as const, mode: 'active' as const, results: new Map([[uid, { sid: 'vm:101', request, result }]]), timestampMs: 0 }]]);

  it('asks for the new node in resources.cfg when the LRM reports a move done, not before', () => {
    const { manager, round } = harness();
    round({ nowMs: 0, config: config(resources) }, () => false);
    const queued = round({ nowMs: 20_000, config: config(resources), takeCommands: () => ['migrate vm:101 node2'] }, () => false);
    const moving = manager.status.serviceStatus.get('vm:101')!;
    assert.deepEqual([moving.state, moving.node, moving.target], ['migrate', 'node1', 'node2']);
    assert.deepEqual(queued.output.resourceUpdates, [], 'nothing is recorded while the move runs');
    const done = round({ nowMs: 40_000, config: config(resources), lrmStatuses: lrmResult('node1', moving.uid, 'migrate', 0) }, () => false);
    const moved = manager.status.serviceStatus.get('vm:101')!;
    assert.deepEqual([moved.state, moved.node], ['started', 'node2']);
    assert.deepEqual(done.output.resourceUpdates, [{ sid: 'vm:101', patch: { node: 'node2' } }]);
  });

  it('records nothing when the move failed: the service stays on its source', () => {
    const { manager, round } = harness();
    round({ nowMs: 0, config: config(resources) }, () => false);
    round({ nowMs: 20_000, config: config(resources), takeCommands: () => ['relocate vm:101 node3'] }, () => false);
    const moving = manager.status.serviceStatus.get('vm:101')!;
    const failed = round({ nowMs: 40_000, config: config(resources), lrmStatuses: lrmResult('node1', moving.uid, 'relocate', 1) }, () => false);
    const service = manager.status.serviceStatus.get('vm:101')!;
    assert.deepEqual([service.state, service.node], ['started', 'node1']);
    assert.deepEqual(failed.output.resourceUpdates, []);
  });
});

describe('Manager round: CRM commands', () => {
  it('gives every queued line one crm-command event: malformed ones an error with the parser\'s problem', () => {
    const { events, round } = harness();
    round({ nowMs: 0 }, () => false);
    round({ nowMs: 20_000, takeCommands: () => ['migrate vm:103', 'fence node1', 'migrate vm:103 node3', 'migrate vm:103 node2'] }, () => false);
    const verdicts = events.filter((event) => event.ev === 'crm-command');
    assert.deepEqual(verdicts, [
      { ev: 'crm-command', cmd: 'migrate vm:103', result: 'error', reason: "CRM command 'migrate vm:103': migrate takes <sid> <node>" },
      {
        ev: 'crm-command',
        cmd: 'fence node1',
        result: 'error',
        reason: "Unknown CRM command 'fence', expected one of migrate, relocate, stop, enable-node-maintenance, disable-node-maintenance, disarm-ha, arm-ha, fence-ack",
      },
      { ev: 'crm-command', cmd: 'migrate vm:103 node3', result: 'ignored', reason: 'vm:103 is already on node3' },
      { ev: 'crm-command', cmd: 'migrate vm:103 node2', result: 'accepted' },
    ]);
  });
});

describe('Manager round: a recorded node that did not reach resources.cfg', () => {
  it('is asked for again each round, and a stopped service is not moved back to the stale node', () => {
    const resources = { 'vm:101': { node: 'node1', state: 'stopped' as const, maxRestart: 1, maxRelocate: 1 } };
    const { manager, round } = harness();
    round({ nowMs: 0, config: config(resources) }, () => false);
    const stopping = manager.status.serviceStatus.get('vm:101')!;
    const stopped = new Map([['node1', { state: 'active' as const, mode: 'active' as const, results: new Map([[stopping.uid, { sid: 'vm:101', request: 'request_stop', result: 0 as const }]]), timestampMs: 0 }]]);
    round({ nowMs: 10_000, config: config(resources), lrmStatuses: stopped }, () => false);
    round({ nowMs: 20_000, config: config(resources), takeCommands: () => ['relocate vm:101 node2'] }, () => false);
    const moving = manager.status.serviceStatus.get('vm:101')!;
    assert.equal(moving.state, 'relocate');
    const moved = new Map([['node1', { state: 'active' as const, mode: 'active' as const, results: new Map([[moving.uid, { sid: 'vm:101', request: 'relocate', result: 0 as const }]]), timestampMs: 0 }]]);
    const done = round({ nowMs: 30_000, config: config(resources), lrmStatuses: moved }, () => false);
    assert.deepEqual(done.output.resourceUpdates, [{ sid: 'vm:101', patch: { node: 'node2' } }]);
    // The write was lost: the config still names node1 when the stop on node2 is reported.
    const arrived = manager.status.serviceStatus.get('vm:101')!;
    assert.deepEqual([arrived.state, arrived.node], ['request_stop', 'node2']);
    const stoppedThere = new Map([['node2', { state: 'active' as const, mode: 'active' as const, results: new Map([[arrived.uid, { sid: 'vm:101', request: 'request_stop', result: 0 as const }]]), timestampMs: 0 }]]);
    const again = round({ nowMs: 40_000, config: config(resources), lrmStatuses: stoppedThere }, () => false);
    assert.deepEqual(again.output.resourceUpdates, [{ sid: 'vm:101', patch: { node: 'node2' } }]);
    const service = manager.status.serviceStatus.get('vm:101')!;
    assert.deepEqual([service.state, service.node], ['stopped', 'node2'], 'not "fixed up" back to the stale node1');
    const landed = round({ nowMs: 50_000, config: config({ 'vm:101': { ...resources['vm:101'], node: 'node2' } }) }, () => false);
    assert.deepEqual(landed.output.resourceUpdates, []);
  });
});

describe('Manager round: services whose config names no node (Proxmox files, add without --node)', () => {
  const unplaced = (group?: string): ResourceConfig => ({ node: undefined, state: 'started', maxRestart: 1, maxRelocate: 1, ...(group ? { group } : {}) });

  it('places them like new starts: the group by priority, then the least loaded, each counting for the next; and records the node', () => {
    const { manager, round, events } = harness();
    const resources = { 'vm:100': unplaced(), 'vm:101': unplaced(), 'vm:102': unplaced(), 'vm:103': vm('node3'), 'ct:200': unplaced('prefer2') };
    const withGroup = { ...config(resources), groups: { prefer2: { nodes: { node2: 2, node3: 1 }, restricted: true, nofailback: false } } };
    const { output } = round({ nowMs: 0, config: withGroup }, () => false);
    const nodes = Object.fromEntries([...manager.status.serviceStatus].map(([sid, status]) => [sid, status.node]));
    // vm:103 is configured on node3; ct:200 goes to its group's top node; the rest spread by count, ties by name.
    assert.deepEqual(nodes, { 'ct:200': 'node2', 'vm:100': 'node1', 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' });
    assert.deepEqual(output.resourceUpdates.map(({ sid, patch }) => `${sid} ${patch.node}`).sort(), ['ct:200 node2', 'vm:100 node1', 'vm:101 node1', 'vm:102 node2']);
    assert.ok(events.some((event) => event.ev === 'log' && event.msg === 'placing vm:100 on node1: its config names no node'));
  });

  it('one with no online node it may run on waits, says so once, and is placed when one comes', () => {
    const { manager, round, events } = harness();
    const withGroup = { ...config({ 'vm:100': unplaced('only3') }), groups: { only3: { nodes: { node3: 1 }, restricted: true, nofailback: false } } };
    const noNode3 = membership(['node1', 'node2']);
    round({ nowMs: 0, config: withGroup, membership: noNode3 }, () => false);
    round({ nowMs: 10_000, config: withGroup, membership: noNode3 }, () => false);
    assert.equal(manager.status.serviceStatus.has('vm:100'), false);
    assert.equal(events.filter((event) => event.ev === 'log' && event.level === 'warn' && event.msg.startsWith('cannot place vm:100')).length, 1);
    round({ nowMs: 20_000, config: withGroup }, () => false);
    assert.equal(manager.status.serviceStatus.get('vm:100')?.node, 'node3', 'placed once node3 is online, with the same config generation');
  });
});
