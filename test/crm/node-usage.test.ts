import { strict as assert } from 'node:assert';
import type { ServiceState } from '../../src/common/states.ts';
import { NodeUsage, type Placement } from '../../src/crm/node-usage.ts';

const at = (state: ServiceState, node: string, target?: string): Placement => ({ state, node, target });

describe('NodeUsage', () => {
  it('counts running-like states on their node and nothing for stopped or request_start', () => {
    const usage = new NodeUsage(['node1', 'node2'], undefined);
    usage.add('vm:1', at('started', 'node1'));
    usage.add('vm:2', at('error', 'node1'));
    usage.add('vm:3', at('stopped', 'node1'));
    usage.add('vm:4', at('request_start', 'node2'));
    assert.equal(usage.serviceCount('node1'), 2);
    assert.equal(usage.serviceCount('node2'), 0);
  });

  it('counts a move on both ends, a balancing start on its target only', () => {
    const usage = new NodeUsage(['node1', 'node2'], undefined);
    usage.add('vm:1', at('migrate', 'node1', 'node2'));
    usage.add('vm:2', at('request_start_balance', 'node1', 'node2'));
    assert.deepEqual([usage.serviceCount('node1'), usage.serviceCount('node2')], [1, 2]);
  });

  it('counts a move from an offline node on its online target only', () => {
    const usage = new NodeUsage(['node2'], undefined);
    usage.add('vm:1', at('relocate', 'node1', 'node2'));
    usage.add('vm:2', at('started', 'node1'));
    assert.equal(usage.serviceCount('node2'), 1);
  });

  it('replace equals a recount after the change', () => {
    const usage = new NodeUsage(['node1', 'node2'], undefined);
    const before = at('migrate', 'node1', 'node2');
    usage.add('vm:1', before);
    usage.replace('vm:1', before, at('started', 'node2'));
    assert.deepEqual([usage.serviceCount('node1'), usage.serviceCount('node2')], [0, 1]);
  });

  it('refuses to remove load that was never added (a bug, not a world event)', () => {
    const usage = new NodeUsage(['node1'], undefined);
    assert.throws(() => usage.replace('vm:1', at('started', 'node1'), at('stopped', 'node1')), /negative/);
  });

  it('static mode prefers the node with the most free capacity', () => {
    const sizing = {
      sizes: { 'vm:1': { maxCpu: 4, maxMemBytes: 8e9 }, 'vm:2': { maxCpu: 1, maxMemBytes: 1e9 } },
      capacities: { node1: { cpus: 8, memoryBytes: 16e9 }, node2: { cpus: 8, memoryBytes: 16e9 } },
    };
    const usage = new NodeUsage(['node1', 'node2'], sizing);
    assert.ok(usage.isStatic());
    usage.add('vm:1', at('started', 'node1'));
    const cost = usage.costs('vm:2');
    assert.ok(cost('node2') < cost('node1'), `node2 ${cost('node2')} should beat node1 ${cost('node1')}`);
  });

  it('falls back to counting when a node has no capacity', () => {
    const usage = new NodeUsage(['node1', 'node2'], { sizes: {}, capacities: { node1: { cpus: 1, memoryBytes: 1 } } });
    assert.equal(usage.isStatic(), false);
  });
});
