import { strict as assert } from 'node:assert';
import { DEFAULT_CLUSTER_SETTINGS, type RuleConfig } from '../../../src/common/ha-config.ts';
import type { TraceBody } from '../../../src/common/trace.ts';
import { NodeStatusTable } from '../../../src/crm/node-status.ts';
import { ManagerRules } from '../../../src/crm/rules/manager-rules.ts';
import type { HaConfig, Membership } from '../../../src/env/env.ts';
import { positive } from './rule-fixtures.ts';

const lonely = positive('lonely', ['vm:1']);

function pass(rules: ManagerRules, config: HaConfig, nodes: string[]): TraceBody[] {
  const events: TraceBody[] = [];
  const states = Object.fromEntries(nodes.map((node) => [node, 'online' as const]));
  const membership: Membership = { isQuorate: true, nodes, isMember: () => true };
  rules.forPass({ config, membership, lrmStatuses: new Map(), nodeVersion: () => undefined, nodes: new NodeStatusTable(states, () => {}), services: [] }, (event) => events.push(event));
  return events;
}

const configWith = (rules: RuleConfig[], generation: number | undefined): HaConfig => ({
  resources: {},
  groups: {},
  rules,
  settings: DEFAULT_CLUSTER_SETTINGS,
  serviceSizes: {},
  nodeCapacities: {},
  ...(generation === undefined ? {} : { generation }),
});

describe('ManagerRules: recompiled only on the triggers of README-5.2 §5 step 8', () => {
  it('reports a dropped rule at the first pass, then again only when the rules or the node table change', () => {
    const rules = new ManagerRules();
    const config = configWith([lonely], 1);
    assert.deepEqual(pass(rules, config, ['node1']), [{ ev: 'rule-dropped', rule: 'lonely', reason: 'rule is ineffective as there are less than two resources' }]);
    assert.deepEqual(pass(rules, config, ['node1']), [], 'same config, same nodes');
    assert.deepEqual(pass(rules, configWith([lonely], undefined), ['node1']), [], 'new objects, same text');
    assert.equal(pass(rules, config, ['node1', 'node2']).length, 1, 'a node joined the table');
    assert.equal(pass(rules, configWith([{ ...lonely, comment: 'edited' }], 2), ['node1', 'node2']).length, 1, 'the rules text changed');
  });

  it('a new manager compiles at its first pass', () => {
    pass(new ManagerRules(), configWith([lonely], 1), ['node1']);
    assert.equal(pass(new ManagerRules(), configWith([lonely], 1), ['node1']).length, 1);
  });
});
