import { strict as assert } from 'node:assert';
import type { RuleConfig } from '../../src/common/ha-config.ts';
import { newServiceStatus } from '../../src/common/manager-status.ts';
import type { ServiceState } from '../../src/common/states.ts';
import { NodeUsage, type Placement } from '../../src/crm/node-usage.ts';
import { compileRules } from '../../src/crm/rules/compile-rules.ts';
import { ServiceAffinity } from '../../src/crm/rules/service-affinity.ts';
import { NodeSelector, type SelectRequest } from '../../src/crm/select-node.ts';

interface SelectorSetup {
  readonly rules?: RuleConfig[];
  /** Services that only add load, by node. */
  readonly load?: Record<string, number>;
  /** Managed services that rules may name (partners). */
  readonly services?: Record<string, Placement>;
  readonly noFailback?: string[];
  readonly nodeTable?: string[];
}

function selector(online: string[], setup: SelectorSetup = {}): NodeSelector {
  const usage = new NodeUsage(online, undefined);
  let n = 0;
  for (const [node, count] of Object.entries(setup.load ?? {})) {
    for (let i = 0; i < count; i++) usage.add(`vm:${9000 + n++}`, newServiceStatus('started', node, 'x'));
  }
  const services = setup.services ?? {};
  for (const [sid, placement] of Object.entries(services)) usage.add(sid, placement);
  const compiled = compileRules(setup.rules ?? [], setup.nodeTable ?? ['node1', 'node2', 'node3', 'node4']);
  const affinity = new ServiceAffinity(compiled, online, (sid) => services[sid]);
  return new NodeSelector(usage, affinity, (sid) => !(setup.noFailback ?? []).includes(sid));
}

const request = (overrides: Partial<SelectRequest>): SelectRequest => ({ sid: 'vm:100', currentNode: 'node1', mode: 'normal', ...overrides });
const at = (node: string, state: ServiceState = 'started', target?: string): Placement => ({ state, node, ...(target ? { target } : {}) });
const nodeRule = (id: string, resources: string[], nodes: Record<string, number>, strict = false): RuleConfig => ({ type: 'node-affinity', id, resources, nodes, strict, isDisabled: false });
const together = (id: string, resources: string[]): RuleConfig => ({ type: 'resource-affinity', id, resources, affinity: 'positive', isDisabled: false });
const apart = (id: string, resources: string[]): RuleConfig => ({ type: 'resource-affinity', id, resources, affinity: 'negative', isDisabled: false });
const ALL = ['node1', 'node2', 'node3'];

describe('NodeSelector', () => {
  describe('without rules', () => {
    it('keeps a service on its current online node in normal mode', () => {
      assert.equal(selector(['node1', 'node2'], { load: { node1: 5 } }).select(request({})), 'node1');
    });

    it('picks the least loaded node, ties by name, when the current node is not a candidate', () => {
      assert.equal(selector(ALL, { load: { node1: 2, node2: 1, node3: 1 } }).select(request({ currentNode: 'node9' })), 'node2');
    });

    it('next mode takes the node after the current one in cost order, none when all failed', () => {
      const select = selector(ALL, { load: { node3: 1 } });
      assert.equal(select.select(request({ mode: 'next', failedNodes: ['node1'] })), 'node2');
      assert.equal(select.select(request({ mode: 'next', currentNode: 'node2', failedNodes: ['node5'] })), 'node3');
      assert.equal(select.select(request({ mode: 'next', failedNodes: ['node1', 'node2', 'node3'] })), undefined);
    });

    it('returns to the maintenance fallback, and best mode ignores stickiness', () => {
      assert.equal(selector(ALL, { load: { node3: 9 } }).select(request({ maintenanceFallback: 'node3' })), 'node3');
      assert.equal(selector(['node1', 'node2'], { load: { node1: 3 } }).select(request({ mode: 'best' })), 'node2');
    });
  });

  describe('node affinity', () => {
    it('prefers the highest priority class over load', () => {
      const rules = [nodeRule('r', ['vm:100'], { node1: 1, node2: 2, node3: 2 })];
      assert.equal(selector(ALL, { rules, load: { node2: 3, node3: 1 } }).select(request({})), 'node3');
    });

    it('failback 0 stays on any allowed node, failback 1 moves to the best class', () => {
      const rules = [nodeRule('r', ['vm:100'], { node2: 1 })];
      assert.equal(selector(ALL, { rules, noFailback: ['vm:100'] }).select(request({})), 'node1');
      assert.equal(selector(ALL, { rules }).select(request({})), 'node2');
    });

    it('a strict rule moves a failback-0 service off a non-member and gives no node when no member is online', () => {
      const rules = [nodeRule('r', ['vm:100'], { node2: 0 }, true)];
      assert.equal(selector(ALL, { rules, noFailback: ['vm:100'] }).select(request({})), 'node2');
      assert.equal(selector(['node1', 'node3'], { rules }).select(request({})), undefined);
    });

    it('a non-strict rule falls back to the other nodes of the node table at priority -1', () => {
      const rules = [nodeRule('r', ['vm:100'], { node4: 0 })];
      assert.equal(selector(ALL, { rules, load: { node1: 1 } }).select(request({ currentNode: 'node4', mode: 'best' })), 'node2');
    });
  });

  describe('resource affinity', () => {
    it('keeps a service off the nodes of its negative partners, their targets included', () => {
      const rules = [apart('a', ['vm:100', 'vm:101', 'vm:102'])];
      const services = { 'vm:101': at('node1'), 'vm:102': at('node3', 'migrate', 'node2') };
      assert.equal(selector(ALL, { rules, services }).select(request({ currentNode: 'node1' })), undefined);
      assert.equal(selector([...ALL, 'node4'], { rules, services }).select(request({ currentNode: 'node1' })), 'node4');
    });

    it('a negative partner on the only preferred node gives no node rather than a lower class', () => {
      const rules = [nodeRule('n', ['vm:100'], { node2: 0 }), apart('a', ['vm:100', 'vm:101'])];
      assert.equal(selector(ALL, { rules, services: { 'vm:101': at('node2') } }).select(request({ currentNode: 'node2', mode: 'best' })), undefined);
    });

    it('pulls a service to the node most positive partners are on, ties by name, moving partners by target', () => {
      const rules = [together('t', ['vm:100', 'vm:101', 'vm:102', 'vm:103'])];
      const services = { 'vm:101': at('node3'), 'vm:102': at('node2'), 'vm:103': at('node1', 'migrate', 'node2') };
      assert.equal(selector(ALL, { rules, services }).select(request({})), 'node2');
      const tie = { 'vm:101': at('node3'), 'vm:102': at('node2') };
      assert.equal(selector(ALL, { rules, services: tie }).select(request({})), 'node2');
    });

    it('ignores partners on nodes outside the preferred class; stopped partners count nowhere', () => {
      const rules = [together('t', ['vm:100', 'vm:101'])];
      assert.equal(selector(['node1', 'node2'], { rules, services: { 'vm:101': at('node3') } }).select(request({})), 'node1');
      assert.equal(selector(ALL, { rules, services: { 'vm:101': at('node2', 'stopped') } }).select(request({})), 'node1');
    });

    it('failback 0 does not keep a service beside a negative partner', () => {
      const rules = [apart('a', ['vm:100', 'vm:101'])];
      assert.equal(selector(ALL, { rules, services: { 'vm:101': at('node1') }, noFailback: ['vm:100'] }).select(request({})), 'node2');
    });
  });

  it('keepsCurrent answers as select does in normal mode without a fallback', () => {
    const rules = [
      nodeRule('plain', ['vm:1'], { node1: 1, node2: 2, node3: 2 }),
      nodeRule('strict', ['vm:2'], { node2: 1, node4: 3 }, true),
      apart('a', ['vm:3', 'vm:9']),
      together('t', ['vm:4', 'vm:9']),
    ];
    for (const online of [ALL, ['node2'], ['node1', 'node4'], ['node3']]) {
      for (const partnerNode of ALL) {
        const select = selector(online, { rules, load: { node1: 1 }, services: { 'vm:9': at(partnerNode) }, noFailback: ['vm:2'] });
        for (const sid of ['vm:0', 'vm:1', 'vm:2', 'vm:3', 'vm:4']) {
          for (const currentNode of ['node1', 'node2', 'node3', 'node4']) {
            const kept = select.select(request({ sid, currentNode })) === currentNode;
            assert.equal(select.keepsCurrent(sid, currentNode), kept, `${sid} on ${currentNode}, online ${online.join(',')}`);
          }
        }
      }
    }
  });
});
