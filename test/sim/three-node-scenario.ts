import { DEFAULT_CLUSTER_SETTINGS } from '../../src/common/ha-config.ts';
import { emptyManagerStatus } from '../../src/common/manager-status.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseCommand } from '../../src/sim/sim-commands.ts';

export const THREE_NODES: ReadonlySet<string> = new Set(['node1', 'node2', 'node3']);
export const POWER_ON_ALL = ['power node1 on', 'power node2 on', 'power node3 on'];

/** Three nodes, all off at the start, and vm:101 on node2; `batches` are scenario command lines. */
export function threeNodeScenario(name: string, batches: readonly string[][]): Scenario {
  return {
    name,
    nodes: { node1: { isPoweredOn: false, isNetworkOn: false }, node2: { isPoweredOn: false, isNetworkOn: false }, node3: { isPoweredOn: false, isNetworkOn: false } },
    managerStatus: emptyManagerStatus(),
    resources: { 'vm:101': { node: 'node2', state: 'started', maxRestart: 1, maxRelocate: 1 } },
    groups: {},
    rules: [],
    settings: DEFAULT_CLUSTER_SETTINGS,
    serviceSizes: {},
    running: {},
    batches: batches.map((batch) => batch.map((text) => parseCommand(text, THREE_NODES) as never)),
  };
}
