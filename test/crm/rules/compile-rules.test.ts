import { strict as assert } from 'node:assert';
import type { RuleConfig } from '../../../src/common/ha-config.ts';
import { compileRules } from '../../../src/crm/rules/compile-rules.ts';
import { positiveRuleGroups } from '../../../src/crm/rules/positive-groups.ts';
import { negative, nodeRule, NODES3, positive } from './rule-fixtures.ts';

const entries = (map: ReadonlyMap<string, readonly string[]>) => Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : 1)));

describe('compileRules (README-5.2 §6.1)', () => {
  it('gives a non-strict rule every other node of the node table at -1, a strict one only its nodes', () => {
    const compiled = compileRules([nodeRule('n', ['vm:101'], { node1: 2 }), nodeRule('s', ['vm:102'], { node2: 0 }, true)], NODES3);
    assert.deepEqual([...compiled.nodeAffinity.get('vm:101')!.nodes], [['node1', 2], ['node2', -1], ['node3', -1]]);
    assert.deepEqual([...compiled.nodeAffinity.get('vm:102')!.nodes], [['node2', 0]]);
  });

  it('skips disabled rules, `disable 0` included, without reporting them', () => {
    const disabled: RuleConfig = { ...nodeRule('n', ['vm:101'], { node1: 0 }), isDisabled: true };
    const compiled = compileRules([disabled, { ...nodeRule('m', ['vm:101'], { node2: 0 }) }], NODES3);
    assert.equal(compiled.nodeAffinity.get('vm:101')?.ruleId, 'm', 'the disabled rule neither applies nor conflicts');
    assert.deepEqual(compiled.dropped, []);
  });

  it('merges connected positive rules into one group of partners', () => {
    const compiled = compileRules([positive('a', ['vm:101', 'vm:102']), positive('b', ['vm:102', 'vm:103'])], NODES3);
    assert.deepEqual(entries(compiled.positive), {
      'vm:101': ['vm:102', 'vm:103'],
      'vm:102': ['vm:101', 'vm:103'],
      'vm:103': ['vm:101', 'vm:102'],
    });
  });

  it('infers implicit negatives: X, Y, Z together and X apart from W puts Y and Z apart from W', () => {
    const compiled = compileRules([positive('t', ['vm:1', 'vm:2', 'vm:3']), negative('n', ['vm:1', 'vm:4'])], NODES3);
    assert.deepEqual(entries(compiled.negative), { 'vm:1': ['vm:4'], 'vm:2': ['vm:4'], 'vm:3': ['vm:4'], 'vm:4': ['vm:1', 'vm:2', 'vm:3'] });
  });

  it('merges first, then infers negatives over the merged group', () => {
    const compiled = compileRules([positive('a', ['vm:1', 'vm:2']), positive('b', ['vm:2', 'vm:3']), negative('n', ['vm:3', 'vm:9'])], NODES3);
    assert.deepEqual(compiled.negative.get('vm:9'), ['vm:1', 'vm:2', 'vm:3']);
  });

  it('extends a node-affinity rule naming one member of a positive group to the whole group', () => {
    const compiled = compileRules([nodeRule('n', ['vm:1'], { node2: 0 }, true), positive('t', ['vm:1', 'vm:2'])], NODES3);
    assert.equal(compiled.nodeAffinity.get('vm:2')?.ruleId, 'n');
    assert.equal(compiled.nodeAffinity.get('vm:2'), compiled.nodeAffinity.get('vm:1'), 'one compiled rule shared by its services');
  });

  it('drops rules that fail a check and keeps the rest', () => {
    const compiled = compileRules([positive('lonely', ['vm:1']), negative('n', ['vm:1', 'vm:2'])], NODES3);
    assert.deepEqual(compiled.dropped.map((entry) => entry.rule), ['lonely']);
    assert.deepEqual(compiled.negative.get('vm:1'), ['vm:2']);
    assert.equal(compiled.positive.size, 0);
  });
});

describe('positiveRuleGroups: the single pass (README-5.2 §6.1 step 2a)', () => {
  it('joins each rule to the first group it overlaps, in order of smallest service', () => {
    const groups = positiveRuleGroups([positive('c', ['vm:3', 'vm:4']), positive('a', ['vm:1', 'vm:2']), positive('b', ['vm:2', 'vm:3'])]);
    assert.deepEqual(groups.map((group) => group.ruleIds), [['a', 'b', 'c']]);
  });

  it('never joins two groups that exist already: rules connected through a later rule may stay apart', () => {
    // a={1,x} and b={2,y} start two groups; c={3,x,y} joins the first only, so b stays alone though it shares y.
    const groups = positiveRuleGroups([positive('a', ['vm:1', 'vm:8']), positive('b', ['vm:2', 'vm:9']), positive('c', ['vm:3', 'vm:8', 'vm:9'])]);
    assert.deepEqual(groups.map((group) => group.ruleIds), [['a', 'c'], ['b']]);
  });
});
