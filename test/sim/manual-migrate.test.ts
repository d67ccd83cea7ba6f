import { strict as assert } from 'node:assert';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/common/ha-config.ts';
import { emptyManagerStatus } from '../../src/common/manager-status.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { ScenarioError } from '../../src/sim/scenario.ts';
import { parseCommand } from '../../src/sim/sim-commands.ts';
import { Simulator } from '../../src/sim/simulator.ts';

const NODES = new Set(['node1', 'node2', 'node3']);

function scenario(batches: string[][]): Scenario {
  const off = { isPoweredOn: false, isNetworkOn: false };
  return {
    name: 'manual-migrate',
    nodes: { node1: off, node2: off, node3: off },
    managerStatus: emptyManagerStatus(),
    resources: { 'vm:103': { node: 'node3', state: 'started', maxRestart: 1, maxRelocate: 1 } },
    groups: {},
    rules: [],
    settings: DEFAULT_CLUSTER_SETTINGS,
    serviceSizes: {},
    running: {},
    batches: [['power node1 on', 'power node2 on', 'power node3 on'], ...batches].map((batch) => batch.map((text) => parseCommand(text, NODES) as never)),
  };
}

describe('service <sid> manual-migrate in the simulator', () => {
  it('moves config and guest while HA is disarmed in ignore mode; the master takes the node at arm, and it never runs twice', () => {
    const simulator = new Simulator(scenario([['crm node1 disarm-ha ignore'], ['service vm:103 manual-migrate node1'], ['crm node1 arm-ha']]), {
      seed: 1,
      onRound: (cluster) => assert.ok(cluster.nodesRunning('vm:103').length <= 1, `vm:103 runs on ${cluster.nodesRunning('vm:103').join(', ')}`),
    });
    simulator.run();
    const { cluster } = simulator;
    assert.deepEqual(cluster.nodesRunning('vm:103'), ['node1']);
    assert.equal(cluster.managerStatus?.serviceStatus.get('vm:103')?.node, 'node1');
    assert.equal(cluster.managerStatus?.disarm, undefined);
  });

  it('of a service under HA stops the run with the command and why', () => {
    const simulator = new Simulator(scenario([['service vm:103 manual-migrate node1']]), { seed: 1 });
    assert.throws(() => simulator.run(), (error: unknown) => error instanceof ScenarioError && /'service vm:103 manual-migrate node1': vm:103 is under HA/.test(error.message));
  });
});
