import { strict as assert } from 'node:assert';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/common/ha-config.ts';
import { emptyManagerStatus } from '../../src/common/manager-status.ts';
import type { TraceEvent } from '../../src/common/trace.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseCommand } from '../../src/sim/sim-commands.ts';
import { Simulator } from '../../src/sim/simulator.ts';

const NODE_NAMES = ['node1', 'node2', 'node3'];
const NODES = new Set(NODE_NAMES);

function scenario(batches: string[][]): Scenario {
  const off = { isPoweredOn: false, isNetworkOn: false };
  const vm = (node: string) => ({ node, state: 'started' as const, maxRestart: 1, maxRelocate: 1 });
  return {
    name: 'disarm-storage-cut',
    nodes: { node1: off, node2: off, node3: off },
    managerStatus: emptyManagerStatus(),
    resources: { 'vm:101': vm('node1'), 'vm:102': vm('node2'), 'vm:103': vm('node3') },
    groups: {},
    rules: [],
    settings: DEFAULT_CLUSTER_SETTINGS,
    serviceSizes: {},
    running: {},
    batches: [['power node1 on', 'power node2 on', 'power node3 on'], ...batches].map((batch) => batch.map((text) => parseCommand(text, NODES) as never)),
  };
}

const cut = (isOn: boolean) => NODE_NAMES.map((node) => `storage ${node} ${isOn ? 'on' : 'off'}`);

/** Runs the scenario; returns its events and, per round, which daemons hold an armed watchdog registration. */
function run(batches: string[][]): { events: TraceEvent[]; armed: Array<{ atMs: number; disarm: string; daemons: string[] }> } {
  const events: TraceEvent[] = [];
  const armed: Array<{ atMs: number; disarm: string; daemons: string[] }> = [];
  const simulator = new Simulator(scenario(batches), {
    seed: 1,
    onEvent: (event) => events.push(event),
    onRound: (cluster, roundStartMs) => {
      const daemons = NODE_NAMES.flatMap((node) => ['crm', 'lrm'].filter((daemon) => cluster.node(node).watchdog.hasArmedRegistration(daemon)).map((daemon) => `${node}/${daemon}`));
      armed.push({ atMs: roundStartMs, disarm: cluster.managerStatus?.disarm?.state ?? 'armed', daemons });
    },
  });
  simulator.run();
  return { events, armed };
}

describe('a disarmed cluster in the simulator', () => {
  it('holds no watchdog while disarmed, survives the storage cut for twice the lease timeout without a reset or a move, and arms again', () => {
    // disarm at 120, storage cut on every node at 220, back at 520 (300 s > 2 × 120 s lease), arm at 620
    const { events, armed } = run([['crm node1 disarm-ha freeze'], cut(false), [], [], cut(true), ['crm node1 arm-ha']]);
    assert.deepEqual(events.filter((event) => event.ev === 'reset'), [], 'no node reset');
    const disarmed = armed.filter((round) => round.disarm === 'disarmed');
    assert.ok(disarmed.length > 10);
    assert.deepEqual(disarmed.filter((round) => round.daemons.length > 0), [], 'no registration armed while disarmed');
    const moves = events.filter((event) => event.ev === 'service-state' && event.on !== event.sid.replace('vm:10', 'node'));
    assert.deepEqual(moves, [], 'every service stays on its node');
    assert.ok(!events.some((event) => event.ev === 'fence' || event.ev === 'recover'));
    const last = armed.at(-1)!;
    assert.equal(last.disarm, 'armed');
    assert.deepEqual(last.daemons, ['node1/crm', 'node1/lrm', 'node2/lrm', 'node3/lrm'], 'master and LRMs armed again');
    for (const sid of ['vm:101', 'vm:102', 'vm:103']) {
      const final = events.filter((event) => event.ev === 'service-state' && event.sid === sid).at(-1);
      assert.equal(final?.ev === 'service-state' && final.to, 'started', sid);
    }
  });

  it('a CRM that takes over a disarmed stack does so without a watchdog (test-disarm-crm-stop1)', () => {
    const { events, armed } = run([['crm node1 disarm-ha freeze'], ['crm node1 stop'], ['crm node2 arm-ha']]);
    assert.ok(events.some((event) => event.ev === 'crm-state' && event.node === 'node2' && event.to === 'master'));
    const whileDisarmed = armed.filter((round) => round.disarm === 'disarmed').flatMap((round) => round.daemons);
    assert.deepEqual(whileDisarmed, []);
    assert.deepEqual(armed.at(-1)!.daemons, ['node1/lrm', 'node2/crm', 'node2/lrm', 'node3/lrm']);
  });
});
