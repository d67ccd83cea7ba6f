import { strict as assert } from 'node:assert';
import type { TraceEvent } from '../../src/common/trace.ts';
import { parseCommand } from '../../src/sim/sim-commands.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { POWER_ON_ALL, THREE_NODES, threeNodeScenario } from './three-node-scenario.ts';

function run(batches: string[][]): TraceEvent[] {
  const events: TraceEvent[] = [];
  new Simulator(threeNodeScenario('faults', [POWER_ON_ALL, ...batches]), { seed: 1, onEvent: (event) => events.push(event) }).run();
  return events;
}

const resetsOf = (events: TraceEvent[], node: string) => events.filter((event) => event.ev === 'reset' && event.target === node).map((event) => event.t);

describe('fault commands of the scenario language', () => {
  it('parse, and name the problem when malformed', () => {
    for (const text of ['storage node1 off', 'store down', 'store up', 'store slow 5', 'stale node2 20', 'pause node3 30', 'pause node3 30 lrm', 'crash node1 mux', 'drift node2 -50', 'fail vm:101 start 2', 'heal', 'after 37 network node2 off']) {
      const command = parseCommand(text, THREE_NODES);
      assert.equal(typeof command, 'object', `${text}: ${String(command)}`);
    }
    for (const [text, problem] of [['stale node2 31', /at most 30/], ['drift node1 101', /-100\.\.100/], ['after 5 delay 3', /cannot hold/], ['crash node1 vm', /crm\|lrm\|mux\|kdump/], ['pause nodeX 3', /unknown node/]] as const) {
      assert.match(parseCommand(text, THREE_NODES) as string, problem);
    }
  });

  it('parse the fence commands: crash <node> kdump, fence-device <id> ok|fail|hang|slow <s>', () => {
    assert.deepEqual(parseCommand('crash node2 kdump', THREE_NODES), { kind: 'kdump', node: 'node2', text: 'crash node2 kdump' });
    assert.deepEqual(parseCommand('fence-device pdu:2 hang', THREE_NODES), { kind: 'fence-device', deviceId: 'pdu:2', state: 'hang', slowS: undefined, text: 'fence-device pdu:2 hang' });
    assert.deepEqual(parseCommand('fence-device ipmi slow 7', THREE_NODES), { kind: 'fence-device', deviceId: 'ipmi', state: 'ok', slowS: 7, text: 'fence-device ipmi slow 7' });
    assert.equal(typeof parseCommand('after 30 fence-device ipmi ok', THREE_NODES), 'object');
    for (const text of ['fence-device ipmi', 'fence-device ipmi broken', 'fence-device :2 ok', 'fence-device ipmi slow', 'fence-device ipmi slow 0', 'fence-device ipmi slow 601', 'fence-device ipmi ok now']) {
      assert.match(parseCommand(text, THREE_NODES) as string, /expected 'fence-device <id> ok\|fail\|hang' or 'fence-device <id> slow <seconds, 1\.\.600>'/, text);
    }
    assert.match(parseCommand('crash node9 kdump', THREE_NODES) as string, /unknown node 'node9'/);
  });

  it('a scenario without fault commands has no fault on', () => {
    const simulator = new Simulator(threeNodeScenario('faults', []), { seed: 1 });
    assert.equal(simulator.cluster.faults.isStoreDown, false);
    assert.equal(simulator.cluster.faults.storeLatencyMs, 0);
    for (const node of THREE_NODES) assert.deepEqual(simulator.cluster.faults.of(node), { isStorageCut: false, staleMs: 0, pausedUntilMs: 0, pausedDaemons: 'all' });
  });

  it('after runs its command between daemon iterations, at the given second', () => {
    const cut = run([['after 37 network node2 off']]).find((event) => event.ev === 'cmd' && event.cmd === 'network node2 off');
    assert.ok(cut && cut.t >= 157 && cut.t <= 160, `ran at ${cut?.t}: due at 157, before the next iteration (the round's last ran at 145, the next at 160)`);
  });

  it('a crashed LRM: its successor claims the armed registration and adopts the lease, nothing resets', () => {
    const events = run([['crash node2 lrm']]);
    assert.deepEqual(resetsOf(events, 'node2'), []);
    const node2 = events.filter((event) => event.node === 'node2' && event.t >= 120 && event.t < 200).map((event) => `${event.t} ${event.ev}`);
    // The new LRM holds its node's lease from the start: active at its first iteration (123), no restart of vm:101.
    assert.deepEqual(node2, ['120 daemon-exit', '120 lrm-state', '123 lrm-state']);
  });

  it('a crashed master: its successor CRM may not claim, so it does not start, and the node is reset', () => {
    const events = run([['crash node1 crm']]);
    // node1's CRM renewed and fed last at 100: its deadline passes after 160, the device resets 10 s
    // later: at the first check after 170, which follows node1's LRM iteration of the round at 180.
    assert.deepEqual(resetsOf(events, 'node1'), [181]);
    const refusal = events.find((event) => event.ev === 'log' && event.node === 'node1');
    assert.match(refusal?.ev === 'log' ? refusal.msg : '', /ha-crm cannot start: crm pid \d+ left its registration armed \(deadline in 40000 ms\)/);
  });

  it('a crashed mux resets its node after the device timeout, even an idle one', () => {
    // crash at 120: the device is unfed from then on, reset at the first check after 130 (142).
    assert.deepEqual(resetsOf(run([['crash node3 mux']]), 'node3'), [142]);
  });

  it('a crashed LRM without services is restarted and nothing resets', () => {
    const events = run([['crash node3 lrm']]);
    assert.deepEqual(resetsOf(events, 'node3'), []);
    assert.ok(events.some((event) => event.ev === 'daemon-exit' && event.node === 'node3'));
  });

  it('an LRM paused longer than the watchdog timeout gets its node reset; a short pause does not', () => {
    assert.equal(resetsOf(run([['pause node2 90 lrm']]), 'node2').length, 1);
    assert.deepEqual(resetsOf(run([['pause node2 30 lrm']]), 'node2'), []);
  });

  it('a node cut from the storage loses its lease, is reset, and its service is recovered', () => {
    const events = run([['storage node2 off']]);
    assert.equal(resetsOf(events, 'node2').length, 1);
    assert.ok(events.some((event) => event.ev === 'recover' && event.sid === 'vm:101' && event.from === 'node2'));
  });

  it('injected service failures make the next starts fail', () => {
    const events = run([['service vm:101 disabled', 'fail vm:101 start 2'], ['service vm:101 started']]);
    const starts = events.filter((event) => event.ev === 'service-action' && event.action === 'start' && event.t > 200);
    assert.deepEqual(starts.slice(0, 2).map((event) => (event as { result: string }).result), ['error', 'error']);
  });

  it('heal ends the faults and powers nodes on', () => {
    const events = run([['power node3 off', 'store down', 'stale node1 10'], ['heal']]);
    assert.ok(events.some((event) => event.ev === 'boot' && event.target === 'node3' && event.t === 220));
  });
});
