import { strict as assert } from 'node:assert';
import type { ServiceState } from '../../../src/common/states.ts';
import type { Placement } from '../../../src/crm/node-usage.ts';
import type { AffinityView } from '../../../src/crm/rules/affinity-view.ts';
import { compileRules } from '../../../src/crm/rules/compile-rules.ts';
import { ServiceAffinity } from '../../../src/crm/rules/service-affinity.ts';
import { negative, nodeRule, positive } from './rule-fixtures.ts';

const at = (node: string, state: ServiceState = 'started', target?: string): Placement => ({ state, node, ...(target ? { target } : {}) });
const NODES = ['node1', 'node2', 'node3', 'node4'];

/** The AffinityView the schedulers read (src/crm/rules/affinity-view.ts), from compiled rules. */
function view(online: string[], services: Record<string, Placement>): AffinityView {
  const rules = compileRules(
    [nodeRule('n', ['vm:1'], { node3: 0, node2: 0 }), nodeRule('s', ['vm:5'], { node4: 0 }, true), positive('p', ['vm:1', 'vm:3', 'vm:2']), negative('a', ['vm:1', 'vm:9'])],
    NODES,
  );
  return new ServiceAffinity(rules, online, (sid) => services[sid]);
}

describe('ServiceAffinity as the AffinityView of the schedulers', () => {
  it('preferred nodes: the online top class of the rule, sorted; every online node without a rule; none for a strict rule without members online', () => {
    const affinity = view(['node1', 'node2', 'node3'], {});
    assert.deepEqual(affinity.preferredNodes('vm:1'), ['node2', 'node3']);
    assert.deepEqual(affinity.preferredNodes('vm:2'), ['node2', 'node3'], 'a positive group shares its node-affinity rule');
    assert.deepEqual(affinity.preferredNodes('vm:7'), ['node1', 'node2', 'node3']);
    assert.deepEqual(affinity.preferredNodes('vm:5'), []);
    assert.deepEqual(view(['node1'], {}).preferredNodes('vm:1'), ['node1'], 'the other nodes at -1 when its own are offline');
  });

  it('separate nodes: where negative partners, implicit ones included, are or are going', () => {
    const affinity = view(NODES, { 'vm:9': at('node1', 'migrate', 'node4') });
    assert.deepEqual([...affinity.separateNodes('vm:1')].sort(), ['node1', 'node4']);
    assert.deepEqual([...affinity.separateNodes('vm:3')].sort(), ['node1', 'node4'], 'vm:3 is with vm:1, so apart from vm:9 too');
    assert.deepEqual([...view(NODES, { 'vm:9': at('node1', 'stopped') }).separateNodes('vm:1')], [], 'a stopped partner occupies nothing');
  });

  it('positive partners: without the service itself, sorted', () => {
    const affinity = view(NODES, {});
    assert.deepEqual(affinity.positivePartners('vm:1'), ['vm:2', 'vm:3']);
    assert.deepEqual(affinity.positivePartners('vm:9'), []);
  });
});
