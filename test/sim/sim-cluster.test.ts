import { strict as assert } from 'node:assert';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/common/ha-config.ts';
import { emptyManagerStatus, newServiceStatus, type ManagerStatus } from '../../src/common/manager-status.ts';
import { REFERENCE_TIMING } from '../../src/common/timing.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { SimCluster } from '../../src/sim/sim-cluster.ts';
import { parseCommand, type SimCommand } from '../../src/sim/sim-commands.ts';

function scenarioWith(managerStatus: ManagerStatus, batches: string[][] = []): Scenario {
  return {
    name: 'saved-status',
    nodes: { node1: { isPoweredOn: false, isNetworkOn: false }, node2: { isPoweredOn: false, isNetworkOn: false } },
    managerStatus,
    resources: { 'vm:101': { node: 'node2', state: 'started', maxRestart: 1, maxRelocate: 1 } },
    groups: {},
    rules: [],
    settings: DEFAULT_CLUSTER_SETTINGS,
    serviceSizes: {},
    running: {},
    batches: batches.map((batch) => batch.map((text) => parseCommand(text, new Set(['node1', 'node2'])) as SimCommand)),
  };
}

describe('SimCluster', () => {
  it('starts from a saved manager status that has only services (no node states, no master)', () => {
    const saved = emptyManagerStatus();
    saved.serviceStatus.set('vm:101', newServiceStatus('started', 'node2', 'u1'));
    const cluster = new SimCluster(scenarioWith(saved), REFERENCE_TIMING, () => {});
    assert.equal(cluster.managerStatus?.serviceStatus.get('vm:101')?.state, 'started');
  });

  it('starts with no manager status when the saved one is empty', () => {
    assert.equal(new SimCluster(scenarioWith(emptyManagerStatus()), REFERENCE_TIMING, () => {}).managerStatus, undefined);
  });

  it('keeps past status versions only when the scenario can read stale (a stale command, also inside after)', () => {
    const statusAt = (batches: string[][]) => {
      const cluster = new SimCluster(scenarioWith(emptyManagerStatus(), batches), REFERENCE_TIMING, () => {});
      const first = emptyManagerStatus();
      first.masterNode = 'node1';
      cluster.saveManagerStatus(first);
      cluster.timeMs = 20_000;
      cluster.saveManagerStatus(emptyManagerStatus());
      return () => cluster.managerStatusAt(10_000);
    };
    assert.equal(statusAt([['stale node2 20']])()?.masterNode, 'node1', 'the version of 10 s ago');
    assert.equal(statusAt([['after 5 stale node1 10']])()?.masterNode, 'node1');
    assert.throws(statusAt([['network node1 off']]), /keeps no status history/);
  });
});
