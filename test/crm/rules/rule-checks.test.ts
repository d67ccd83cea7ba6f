import { strict as assert } from 'node:assert';
import { checkRules } from '../../../src/crm/rules/rule-checks.ts';
import { negative, nodeRule, NODES3, positive } from './rule-fixtures.ts';

/** The rules each check drops, as sorted ids (the reasons are checked where they matter). */
const droppedIds = (rules: Parameters<typeof checkRules>[0], nodes = NODES3) => [...new Set(checkRules(rules, nodes).map((entry) => entry.rule))].sort();

/** One case per row of README-5.2 §6.2 (named after Proxmox's rules_cfgs files), plus what must pass. */
describe('rule checks (README-5.2 §6.2)', () => {
  it('multiple-resource-refs-in-node-affinity-rules: every node-affinity rule naming a shared service goes', () => {
    const rules = [nodeRule('a', ['vm:101', 'vm:102'], { node1: 0 }), nodeRule('b', ['vm:102'], { node2: 0 }), nodeRule('c', ['vm:103'], { node3: 0 })];
    assert.deepEqual(droppedIds(rules), ['a', 'b']);
    assert.match(checkRules(rules, NODES3)[0]!.reason, /resource 'vm:102' is already used in another node affinity rule/);
  });

  it('ineffective-resource-affinity-rules: fewer than two services', () => {
    assert.deepEqual(droppedIds([positive('p', ['vm:101']), negative('n', ['vm:102']), positive('ok', ['vm:103', 'vm:104'])]), ['n', 'p']);
  });

  it('ineffective-negative-resource-affinity-rules: more services than nodes in the node table', () => {
    const rules = [negative('n', ['vm:101', 'vm:102', 'vm:103', 'vm:104'])];
    assert.deepEqual(droppedIds(rules), ['n']);
    assert.deepEqual(droppedIds(rules, [...NODES3, 'node4']), [], 'a fourth node known makes it feasible');
  });

  it('inconsistent-resource-affinity-rules: a negative rule sharing two services with a connected positive group drops all of them', () => {
    const rules = [positive('p1', ['vm:101', 'vm:102']), positive('p2', ['vm:102', 'vm:103']), negative('n', ['vm:101', 'vm:103']), positive('p3', ['vm:201', 'vm:202'])];
    assert.deepEqual(droppedIds(rules), ['n', 'p1', 'p2']);
  });

  it('a negative rule sharing one service with a positive group is kept (an implicit negative follows)', () => {
    assert.deepEqual(droppedIds([positive('p', ['vm:101', 'vm:102']), negative('n', ['vm:101', 'vm:103'])]), []);
  });

  it('multi-priority-node-affinity-with-resource-affinity-rules: both sides go', () => {
    const rules = [nodeRule('multi', ['vm:101'], { node1: 2, node2: 1 }), positive('p', ['vm:101', 'vm:102']), nodeRule('single', ['vm:201'], { node1: 1, node2: 1 }), negative('n', ['vm:201', 'vm:202'])];
    assert.deepEqual(droppedIds(rules), ['multi', 'p']);
  });

  it('a single-priority node-affinity rule with resource affinity passes, strict or not', () => {
    const rules = [nodeRule('s', ['vm:101'], { node1: 0, node2: 0 }, true), positive('p', ['vm:101', 'vm:102']), nodeRule('n1', ['vm:201'], { node3: 0 }), negative('n', ['vm:201', 'vm:202'])];
    assert.deepEqual(droppedIds(rules), []);
  });

  it('inconsistent-node-resource-affinity-rules: a positive group in two node-affinity rules', () => {
    const rules = [nodeRule('a', ['vm:101'], { node1: 0 }), nodeRule('b', ['vm:103'], { node2: 0 }), positive('p1', ['vm:101', 'vm:102']), positive('p2', ['vm:102', 'vm:103'])];
    assert.deepEqual(droppedIds(rules), ['a', 'b', 'p1', 'p2']);
  });

  it('inconsistent-node-resource-affinity-rules: negative services restricted to fewer nodes than services', () => {
    const rules = [nodeRule('a', ['vm:101'], { node1: 0 }, true), nodeRule('b', ['vm:102'], { node1: 0 }), negative('n', ['vm:101', 'vm:102', 'vm:103'])];
    assert.deepEqual(droppedIds(rules), ['a', 'b', 'n']);
    const roomy = [nodeRule('a', ['vm:101'], { node1: 0 }), nodeRule('b', ['vm:102'], { node2: 0 }), negative('n', ['vm:101', 'vm:102'])];
    assert.deepEqual(droppedIds(roomy), []);
  });

  it('every check sees every enabled rule: a rule dropped by one still makes another fail', () => {
    // `p` is dropped for its multi-priority partner, and still drops `a` and `b` by being in two node-affinity rules.
    const rules = [nodeRule('a', ['vm:101'], { node1: 2, node2: 1 }), nodeRule('b', ['vm:102'], { node2: 0 }), positive('p', ['vm:101', 'vm:102'])];
    assert.deepEqual(droppedIds(rules), ['a', 'b', 'p']);
  });
});
