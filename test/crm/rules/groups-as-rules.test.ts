import { strict as assert } from 'node:assert';
import type { GroupConfig, ResourceConfig } from '../../../src/common/ha-config.ts';
import { failbackOf, groupsAsRules } from '../../../src/crm/rules/groups-as-rules.ts';

const resource = (extra: Partial<ResourceConfig> = {}): ResourceConfig => ({ node: 'node1', state: 'started', maxRestart: 1, maxRelocate: 1, ...extra });
const GROUPS: Record<string, GroupConfig> = {
  web: { nodes: { node1: 2, node2: 1 }, restricted: true, nofailback: true },
  idle: { nodes: { node3: 0 }, restricted: false, nofailback: false },
};

describe('groups as rules (README-5.2 §9.1)', () => {
  it('makes one node-affinity rule per group in use, restricted as strict; unused and missing groups give nothing', () => {
    const rules = groupsAsRules({ 'vm:2': resource({ group: 'web' }), 'vm:1': resource({ group: 'web' }), 'vm:3': resource({ group: 'gone' }), 'vm:4': resource() }, GROUPS);
    assert.equal(rules.length, 1);
    assert.deepEqual({ ...rules[0]!, comment: undefined }, { type: 'node-affinity', id: 'ha-group-web', resources: ['vm:1', 'vm:2'], nodes: { node1: 2, node2: 1 }, strict: true, isDisabled: false, comment: undefined });
  });

  it('failback: the resource flag (default 1); for a grouped service not nofailback, 1 for a missing group', () => {
    assert.equal(failbackOf(resource(), GROUPS), true);
    assert.equal(failbackOf(resource({ failback: false }), GROUPS), false);
    assert.equal(failbackOf(resource({ group: 'web', failback: true }), GROUPS), false);
    assert.equal(failbackOf(resource({ group: 'idle', failback: false }), GROUPS), true);
    assert.equal(failbackOf(resource({ group: 'gone', failback: false }), GROUPS), true);
  });
});
