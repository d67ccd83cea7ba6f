import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { collectStatus } from '../../src/cli/status-report.ts';
import { defaultScenario } from '../../src/sim/session-files.ts';
import type { ConsoleAction } from '../../src/web/console-source.ts';
import { simRoutes } from '../../src/web/sim-routes.ts';
import { SimSource } from '../../src/web/sim-source.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

function source(options: { speed?: number } = {}): SimSource {
  const { scenario, files } = defaultScenario();
  return new SimSource({ scenario, files, seed: 1, ...options });
}

function rounds(sim: SimSource, count: number): void {
  for (let round = 0; round < count; round++) sim.stepOnce();
}

function refusal(sim: SimSource, action: ConsoleAction): string {
  const result = sim.act(action, 'web@127.0.0.1');
  assert.equal(result.kind, 'refused', JSON.stringify(result));
  return result.message;
}

describe('web: the simulator as a console source', () => {
  it('reports the simulated cluster as `status` reports a shared directory: the same fields, the master, node and service states', () => {
    const sim = source();
    rounds(sim, 6);
    const report = sim.status();
    assert.deepEqual(Object.keys(report).sort(), Object.keys(collectStatus(new DirClusterStore(mkdtempSync(join(tmpdir(), 'sim-source-'))))).sort());
    assert.equal(report.master?.node, 'node1');
    assert.equal(report.master?.isExpired, false);
    assert.equal(report.wallMs, 120_000);
    assert.deepEqual(
      report.nodes.map((node) => [node.node, node.state, node.declared]),
      [['node1', 'online', true], ['node2', 'online', true], ['node3', 'online', true]],
    );
    assert.deepEqual(
      report.services.map((service) => [service.sid, service.state, service.node, service.requestedState]),
      [['ct:103', 'started', 'node3', 'started'], ['vm:101', 'started', 'node1', 'started'], ['vm:102', 'started', 'node2', 'started'], ['vm:104', 'started', 'node1', 'started']],
    );
    assert.deepEqual(report.leases.map((lease) => lease.name), ['manager', 'agent.node1', 'agent.node2', 'agent.node3']);
  });

  it('refuses what the CLI refuses, with its words', () => {
    const sim = source();
    rounds(sim, 6);
    assert.match(refusal(sim, { kind: 'migrate', sid: 'vm:999', node: 'node2' }), /^Unknown resource vm:999; 'ha-manager config' lists them$/);
    assert.match(refusal(sim, { kind: 'migrate', sid: 'vm:101', node: 'node9' }), /^Unknown node 'node9'/);
    assert.match(refusal(sim, { kind: 'stop', sid: 'vm:101', timeoutS: -1 }), /timeout/i);
    assert.match(refusal(sim, { kind: 'set-state', sid: 'vm:999', state: 'stopped' }), /^Unknown resource vm:999/);
    assert.match(refusal(sim, { kind: 'fence-ack', node: 'node2' }), /^Node node2 is online in the master's last status/);
    assert.deepEqual(sim.session.cmdlist().flat().filter((line) => !line.startsWith('power ')), [], 'nothing refused is recorded');
  });

  it('records an accepted action as its scenario command, and the master carries it out', () => {
    const sim = source();
    rounds(sim, 6);
    const result = sim.act({ kind: 'migrate', sid: '101', node: 'node2' }, 'web@127.0.0.1');
    assert.deepEqual(result, { kind: 'done', message: "Queued for the master: migrate vm:101 node2 (recorded as 'service vm:101 migrate node2')", warning: null });
    const disarm = sim.act({ kind: 'arm' }, 'web@127.0.0.1');
    assert.equal(disarm.kind, 'done');
    assert.match(disarm.kind === 'done' ? (disarm.warning ?? '') : '', /the master last reported the HA stack armed: it will ignore this/);
    rounds(sim, 3);
    assert.equal(sim.status().services.find((service) => service.sid === 'vm:101')?.node, 'node2');
    assert.deepEqual(sim.session.cmdlist()[1], ['service vm:101 migrate node2', 'crm node1 arm-ha']);
  });

  it('shows the trace on the timeline in the daemons’ words, with increasing ids', () => {
    const sim = source();
    rounds(sim, 2);
    const events = sim.events();
    assert.ok(events.length > 0);
    assert.deepEqual(events.map((event) => event.id), events.map((_event, index) => index + 1));
    assert.equal(events[0]!.kind, 'action');
    assert.equal(events[0]!.text, 'cluster: command: power node1 on');
    assert.ok(events.some((event) => event.kind === 'master' && event.text === 'node1/crm: status change wait_for_quorum => master'));
    assert.ok(!events.some((event) => /got lock 'ha_agent_node1_lock'/.test(event.text) && event.kind === 'fence'), "a node's own agent lease is no fence");
    assert.deepEqual(sim.events(events.at(-2)!.id), [events.at(-1)]);
  });

  it('paces the rounds on the wall clock at its speed, and stops on pause', () => {
    const clock = sinon.useFakeTimers({ now: 1_000_000 });
    try {
      const sim = source({ speed: 100 });
      let notices = 0;
      sim.onChange(() => notices++);
      sim.run();
      clock.tick(1000); // 100 virtual seconds: five rounds of 20 s
      assert.equal(sim.session.rounds, 5);
      assert.equal(notices, 5, 'one notice per round');
      sim.setSpeed(20);
      clock.tick(1000);
      assert.equal(sim.session.rounds, 6);
      sim.pause();
      clock.tick(10_000);
      assert.equal(sim.session.rounds, 6);
    } finally {
      clock.restore();
    }
  });
});

describe('web: the simulator routes', () => {
  const saveRoot = () => mkdtempSync(join(tmpdir(), 'sim-routes-'));
  const route = (sim: SimSource, root: string, path: string) => simRoutes(sim, { saveRoot: root }).find((candidate) => candidate.path === path)!;

  it('switch power, network and storage as scenario commands, and the session shows them', () => {
    const sim = source();
    const root = saveRoot();
    rounds(sim, 1);
    assert.deepEqual(route(sim, root, '/api/sim/storage').handle({ node: 'node3', on: false }, 'web@x'), { status: 200, body: { kind: 'done', when: 'now', recorded: 'storage node3 off' } });
    assert.equal(route(sim, root, '/api/sim/network').handle({ node: 'node2', on: false }, 'web@x').status, 200);
    const view = route(sim, root, '/api/sim/session').handle(undefined, 'web@x').body as { nodes: unknown[]; cmdlist: string[][] };
    assert.deepEqual(view.nodes, [
      { node: 'node1', isPoweredOn: true, isNetworkOn: true, isStorageOn: true },
      { node: 'node2', isPoweredOn: true, isNetworkOn: false, isStorageOn: true },
      { node: 'node3', isPoweredOn: true, isNetworkOn: true, isStorageOn: false },
    ]);
    assert.deepEqual(view.cmdlist, [['power node1 on', 'power node2 on', 'power node3 on', 'storage node3 off', 'network node2 off']]);
    assert.deepEqual(route(sim, root, '/api/sim/trace').handle(undefined, 'web@x').body, { trace: sim.session.traceText() });
  });

  it('answer a malformed request with 400 and one line, a refused one with 409, and change nothing', () => {
    const sim = source();
    const root = saveRoot();
    const before = JSON.stringify(sim.session.cmdlist());
    const answer = (path: string, body: unknown) => route(sim, root, path).handle(body, 'web@x') as { status: number; body: { message: string } };
    assert.equal(answer('/api/sim/power', { node: 'node1', on: 'yes' }).status, 400);
    assert.equal(answer('/api/sim/power', { node: 'node9', on: false }).status, 409);
    assert.match(answer('/api/sim/clock', { speed: 5000 }).body.message, /"speed" must be 1 to 1000/);
    assert.match(answer('/api/sim/clock', { action: 'rewind' }).body.message, /"action" must be run, pause, step or finish, got "rewind"/);
    assert.match(answer('/api/sim/save', { name: '../escape' }).body.message, /"name" must be letters, digits/);
    assert.equal(JSON.stringify(sim.session.cmdlist()), before);
    assert.equal(answer('/api/sim/save', { name: 'first' }).status, 200);
    assert.match(answer('/api/sim/save', { name: 'first' }).body.message, /first: Exists and is not empty; save under a new name/);
  });

  it('the clock: one round, finish, then no more running', () => {
    const sim = source();
    const root = saveRoot();
    const clock = (body: unknown) => route(sim, root, '/api/sim/clock').handle(body, 'web@x') as { status: number; body: { rounds: number; ended: string | null } };
    assert.equal(clock({ action: 'step' }).body.rounds, 1);
    assert.equal(clock({ action: 'finish' }).body.ended, 'done');
    assert.equal(clock({ action: 'run' }).status, 409);
    assert.equal(sim.isRunning, false);
  });
});
