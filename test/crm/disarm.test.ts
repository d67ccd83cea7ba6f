import { strict as assert } from 'node:assert';
import type { LrmStatus } from '../../src/common/lrm-status.ts';
import type { LrmMode } from '../../src/common/states.ts';
import type { TraceBody } from '../../src/common/trace.ts';
import { config, harness, membership, vm } from './manager-harness.ts';

const THREE = config({ 'vm:101': vm('node1'), 'vm:102': vm('node2'), 'vm:103': vm('node3') });

function lrms(mode: LrmMode, nodes = ['node1', 'node2', 'node3']): Map<string, LrmStatus> {
  return new Map(nodes.map((node) => [node, { state: 'wait_for_agent_lock', mode, results: new Map(), timestampMs: 0 }] as const));
}

function states(events: readonly TraceBody[], sid: string): string[] {
  return events.flatMap((event) => (event.ev === 'service-state' && event.sid === sid ? [event.to] : []));
}

describe('Disarm in the master: freeze mode', () => {
  it('freezes every service in the pass that accepts it, is disarmed once every online LRM says so, unfreezes after arm', () => {
    const { manager, events, round } = harness();
    round({ nowMs: 0, config: THREE, lrmStatuses: lrms('active') }, () => false);
    round({ nowMs: 20_000, config: THREE, lrmStatuses: lrms('active'), takeCommands: () => ['disarm-ha freeze'] }, () => false);
    assert.deepEqual(manager.status.disarm, { mode: 'freeze', state: 'disarming' });
    for (const sid of ['vm:101', 'vm:102', 'vm:103']) assert.equal(manager.status.serviceStatus.get(sid)!.state, 'freeze', sid);
    const frozen = events.filter((event) => event.ev === 'service-state' && event.to === 'freeze');
    assert.ok(frozen.every((event) => event.ev === 'service-state' && event.reason === 'disarm'));
    round({ nowMs: 40_000, config: THREE, lrmStatuses: lrms('disarm', ['node1', 'node2']) }, () => false);
    assert.equal(manager.status.disarm?.state, 'disarming', 'node3 is online and has not let go yet');
    round({ nowMs: 60_000, config: THREE, lrmStatuses: lrms('disarm') }, () => false);
    assert.equal(manager.status.disarm?.state, 'disarmed');
    round({ nowMs: 80_000, config: THREE, lrmStatuses: lrms('disarm'), takeCommands: () => ['arm-ha'] }, () => false);
    assert.equal(manager.status.disarm, undefined);
    assert.equal(manager.status.serviceStatus.get('vm:101')!.state, 'freeze', 'the LRMs have not seen the arm yet');
    round({ nowMs: 100_000, config: THREE, lrmStatuses: lrms('active') }, () => false);
    assert.deepEqual(states(events, 'vm:101'), ['started', 'freeze', 'started']);
    const disarmStates = events.flatMap((event) => (event.ev === 'disarm-state' ? [`${event.from}>${event.to}`] : []));
    assert.deepEqual(disarmStates, ['armed>disarming', 'disarming>disarmed', 'disarmed>armed']);
  });

  it('adds, removes, fences and recovers nothing while disarmed; a command accepted meanwhile is never carried out', () => {
    const { manager, events, round } = harness();
    round({ nowMs: 0, config: THREE, lrmStatuses: lrms('active') }, () => false);
    round({ nowMs: 20_000, config: THREE, lrmStatuses: lrms('active'), takeCommands: () => ['disarm-ha freeze'] }, () => false);
    const since = events.length;
    const lost = membership(['node1', 'node2']);
    const changed = config({ 'vm:101': vm('node1'), 'vm:102': vm('node2'), 'vm:104': vm('node2') });
    let asked = 0;
    for (let nowMs = 40_000; nowMs <= 400_000; nowMs += 20_000) {
      const commands = nowMs === 60_000 ? ['migrate vm:101 node2'] : [];
      asked += round({ nowMs, config: changed, membership: lost, lrmStatuses: lrms('disarm'), takeCommands: () => commands }, () => true).asked.length;
    }
    assert.equal(asked, 0, 'no agent lease taken');
    assert.ok(!events.slice(since).some((event) => ['fence', 'recover', 'service-add', 'service-remove'].includes(event.ev)));
    assert.ok(manager.status.serviceStatus.has('vm:103') && !manager.status.serviceStatus.has('vm:104'));
    assert.equal(manager.status.serviceStatus.get('vm:101')!.state, 'freeze');
    assert.equal(manager.status.disarm?.state, 'disarmed', 'node3 is not online: not waited for');
  });

  it('waits for a move under way: only the moving service is handled, the rest is frozen once it ended', () => {
    const { manager, events, round } = harness();
    round({ nowMs: 0, config: THREE, lrmStatuses: lrms('active') }, () => false);
    round({ nowMs: 20_000, config: THREE, lrmStatuses: lrms('active'), takeCommands: () => ['migrate vm:101 node2'] }, () => false);
    const moving = manager.status.serviceStatus.get('vm:101')!;
    assert.equal(moving.state, 'migrate');
    round({ nowMs: 40_000, config: THREE, lrmStatuses: lrms('active'), takeCommands: () => ['disarm-ha freeze'] }, () => false);
    assert.equal(manager.status.serviceStatus.get('vm:102')!.state, 'started', 'not frozen while the disarm waits');
    assert.ok(events.some((event) => event.ev === 'log' && event.msg === "deferring disarm: vm:101 is in state 'migrate'"));
    const done = lrms('disarm');
    done.set('node1', { state: 'active', mode: 'disarm', results: new Map([[moving.uid, { sid: 'vm:101', request: 'migrate', result: 0 }]]), timestampMs: 0 });
    round({ nowMs: 60_000, config: THREE, lrmStatuses: done }, () => false);
    assert.deepEqual([moving.state, moving.node], ['started', 'node2'], 'the move ended this pass');
    assert.equal(manager.status.serviceStatus.get('vm:102')!.state, 'started');
    round({ nowMs: 80_000, config: THREE, lrmStatuses: lrms('disarm') }, () => false);
    assert.deepEqual(states(events, 'vm:101').slice(-2), ['started', 'freeze']);
    assert.equal(manager.status.disarm?.state, 'disarmed');
  });
});

describe('Disarm in the master: ignore mode and arming', () => {
  it('keeps states, drops pending commands, and at arm takes the node resources.cfg names now', () => {
    const { manager, events, round } = harness();
    round({ nowMs: 0, config: THREE, lrmStatuses: lrms('active') }, () => false);
    round({ nowMs: 20_000, config: THREE, lrmStatuses: lrms('active'), takeCommands: () => ['disarm-ha ignore', 'stop vm:102 30'] }, () => false);
    assert.equal(events.filter((event) => event.ev === 'service-tracking').length, 3);
    assert.equal(manager.status.serviceStatus.get('vm:102')!.cmd, undefined);
    const uidBefore = manager.status.serviceStatus.get('vm:103')!.uid;
    const moved = config({ 'vm:101': vm('node1'), 'vm:102': vm('node2'), 'vm:103': vm('node1') });
    round({ nowMs: 40_000, config: moved, lrmStatuses: lrms('disarm') }, () => false);
    assert.deepEqual(states(events, 'vm:103'), ['started'], 'no state change while ignored');
    round({ nowMs: 60_000, config: moved, lrmStatuses: lrms('disarm'), takeCommands: () => ['arm-ha'] }, () => false);
    const vm103 = manager.status.serviceStatus.get('vm:103')!;
    assert.equal(vm103.node, 'node1');
    assert.ok(events.some((event) => event.ev === 'service-fixup' && event.sid === 'vm:103' && event.reason === 'arm' && event.to === 'node1'));
    assert.notEqual(vm103.uid, uidBefore, 'a fresh request id: the LRM acts on it anew once it holds its lease');
    assert.ok(manager.usageMatchesRecount(), 'the node change reached the carried load');
  });

  it('after arming, a node lost while disarmed is fenced but not recovered on its free lease: its services ran on unprotected', () => {
    const { manager, events, round } = harness();
    round({ nowMs: 0, config: THREE, lrmStatuses: lrms('active') }, () => false);
    round({ nowMs: 20_000, config: THREE, lrmStatuses: lrms('active'), takeCommands: () => ['disarm-ha ignore'] }, () => false);
    const lost = membership(['node1', 'node2']);
    round({ nowMs: 40_000, config: THREE, membership: lost, lrmStatuses: lrms('disarm') }, () => 'free');
    round({ nowMs: 200_000, config: THREE, membership: lost, lrmStatuses: lrms('disarm'), takeCommands: () => ['arm-ha'] }, () => 'free');
    round({ nowMs: 220_000, config: THREE, membership: lost, lrmStatuses: lrms('active') }, () => 'free');
    const vm103 = manager.status.serviceStatus.get('vm:103')!;
    assert.deepEqual([vm103.state, vm103.isWaitingForNode], ['fence', true]);
    assert.ok(!events.some((event) => event.ev === 'recover'));
    round({ nowMs: 240_000, config: THREE, membership: lost, lrmStatuses: lrms('active') }, () => 'reset');
    assert.equal(vm103.state, 'fence', 'still waiting: the reset proof is of a later take, and it waits for its node');
  });
});

describe('Disarm: commands the master ignores', () => {
  it('a second disarm, an arm without a request, and maintenance while disarmed', () => {
    const { events, round } = harness();
    round({ nowMs: 0, config: THREE, lrmStatuses: lrms('active'), takeCommands: () => ['arm-ha', 'disarm-ha freeze', 'disarm-ha ignore', 'enable-node-maintenance node2', 'disarm-ha stop'] }, () => false);
    const verdicts = events.flatMap((event) => (event.ev === 'crm-command' ? [[event.cmd, event.result, event.reason ?? '']] : []));
    assert.deepEqual(verdicts, [
      ['arm-ha', 'ignored', 'HA stack is not disarmed'],
      ['disarm-ha freeze', 'accepted', ''],
      ['disarm-ha ignore', 'ignored', 'already in disarm state (disarming)'],
      ['enable-node-maintenance node2', 'ignored', 'disarmed'],
      ['disarm-ha stop', 'error', "Bad disarm mode 'stop', expected freeze or ignore"],
    ]);
  });
});
