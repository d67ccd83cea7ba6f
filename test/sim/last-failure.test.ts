import { strict as assert } from 'node:assert';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/common/ha-config.ts';
import { emptyManagerStatus } from '../../src/common/manager-status.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseCommand } from '../../src/sim/sim-commands.ts';
import { Simulator } from '../../src/sim/simulator.ts';

const NODES = new Set(['node1', 'node2', 'node3']);

/** fa:120 fails its first two starts (the id's digits); fa:100 never fails. */
function scenario(): Scenario {
  return {
    name: 'last-failure',
    nodes: { node1: { isPoweredOn: false, isNetworkOn: false }, node2: { isPoweredOn: false, isNetworkOn: false }, node3: { isPoweredOn: false, isNetworkOn: false } },
    managerStatus: emptyManagerStatus(),
    resources: {
      'fa:120': { node: 'node1', state: 'started', maxRestart: 0, maxRelocate: 1 },
      'fa:100': { node: 'node2', state: 'started', maxRestart: 0, maxRelocate: 1 },
    },
    groups: {},
    rules: [],
    settings: DEFAULT_CLUSTER_SETTINGS,
    serviceSizes: {},
    running: {},
    batches: [['power node1 on', 'power node2 on', 'power node3 on']].map((batch) => batch.map((text) => parseCommand(text, NODES) as never)),
  };
}

describe('the last failure of a service, from the driver to the manager status', () => {
  it('records the driver\'s reason while the master relocates, and in error; a healthy service has none', () => {
    const seen = new Map<string, Array<[string, string]>>([['fa:120', []], ['fa:100', []]]);
    const simulator = new Simulator(scenario(), {
      seed: 1,
      onRound: (cluster) => {
        for (const [sid, entries] of seen) {
          const service = cluster.managerStatus?.serviceStatus.get(sid);
          if (!service) continue;
          const entry: [string, string] = [service.state, service.lastFailure ?? '-'];
          if (JSON.stringify(entries.at(-1)) !== JSON.stringify(entry)) entries.push(entry);
        }
      },
    });
    simulator.run();
    const of120 = seen.get('fa:120')!;
    // the first start fails on node1: relocated, still showing why; the second, on the new node: error
    const relocating = of120.find(([state]) => state === 'relocate');
    assert.match(relocating?.[1] ?? '', /^start on node1: .*failure 1 of 2 \(fa: id digits\)$/, JSON.stringify(of120));
    const last = of120.at(-1)!;
    assert.equal(last[0], 'error', JSON.stringify(of120));
    assert.match(last[1], /^start on node[23]: .*failure 2 of 2 \(fa: id digits\)$/);
    assert.deepEqual(seen.get('fa:100')!.filter(([, failure]) => failure !== '-'), [], 'a service that never failed has no last failure');
  });
});
