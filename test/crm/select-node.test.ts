import { strict as assert } from 'node:assert';
import type { GroupConfig } from '../../src/common/ha-config.ts';
import { newServiceStatus } from '../../src/common/manager-status.ts';
import { NodeUsage } from '../../src/crm/node-usage.ts';
import { NodeSelector, type SelectRequest } from '../../src/crm/select-node.ts';

function selector(online: string[], groups: Record<string, GroupConfig>, load: Record<string, number> = {}) {
  const usage = new NodeUsage(online, undefined);
  let n = 0;
  for (const [node, count] of Object.entries(load)) {
    for (let i = 0; i < count; i++) usage.add(`vm:${9000 + n++}`, newServiceStatus('started', node, 'x'));
  }
  return new NodeSelector(usage, groups);
}

const request = (overrides: Partial<SelectRequest>): SelectRequest => ({ sid: 'vm:100', group: undefined, currentNode: 'node1', mode: 'normal', ...overrides });

describe('NodeSelector', () => {
  it('keeps a service on its current online node in normal mode', () => {
    assert.equal(selector(['node1', 'node2'], {}, { node1: 5 }).select(request({})), 'node1');
  });

  it('picks the least loaded node, ties by name, when the current node is not a candidate', () => {
    const select = selector(['node1', 'node2', 'node3'], {}, { node1: 2, node2: 1, node3: 1 });
    assert.equal(select.select(request({ currentNode: 'node9' })), 'node2');
  });

  it('prefers the highest priority class of the group', () => {
    const groups = { g: { nodes: { node1: 1, node2: 2, node3: 2 }, restricted: false, nofailback: false } };
    const select = selector(['node1', 'node2', 'node3'], groups, { node2: 3, node3: 1 });
    assert.equal(select.select(request({ group: 'g', currentNode: 'node1' })), 'node3');
  });

  it('with nofailback stays on any online candidate', () => {
    const groups = { g: { nodes: { node1: 1, node2: 2 }, restricted: false, nofailback: true } };
    assert.equal(selector(['node1', 'node2'], groups).select(request({ group: 'g', currentNode: 'node1' })), 'node1');
  });

  it('a restricted group with no member online gives no node', () => {
    const groups = { g: { nodes: { node3: 0 }, restricted: true, nofailback: false } };
    assert.equal(selector(['node1', 'node2'], groups).select(request({ group: 'g', currentNode: 'node3' })), undefined);
  });

  it('an unrestricted group falls back to other online nodes', () => {
    const groups = { g: { nodes: { node3: 0 }, restricted: false, nofailback: false } };
    assert.equal(selector(['node1', 'node2'], groups, { node1: 1 }).select(request({ group: 'g', currentNode: 'node3' })), 'node2');
  });

  it('an unknown group behaves like no group', () => {
    assert.equal(selector(['node1', 'node2'], {}, { node1: 1 }).select(request({ group: 'nope', currentNode: 'node3' })), 'node2');
  });

  it('next mode skips failed nodes and gives none when all failed', () => {
    const select = selector(['node1', 'node2', 'node3'], {});
    assert.equal(select.select(request({ mode: 'next', failedNodes: ['node1'] })), 'node2');
    assert.equal(select.select(request({ mode: 'next', failedNodes: ['node1', 'node2', 'node3'] })), undefined);
  });

  it('returns to the maintenance fallback when it is in the top class', () => {
    const select = selector(['node1', 'node2', 'node3'], {}, { node3: 9 });
    assert.equal(select.select(request({ currentNode: 'node1', maintenanceFallback: 'node3' })), 'node3');
  });

  it('best mode ignores stickiness', () => {
    assert.equal(selector(['node1', 'node2'], {}, { node1: 3 }).select(request({ mode: 'best' })), 'node2');
  });

  it('keepsCurrent answers as select does in normal mode without a fallback, for every group kind and node', () => {
    const groups: Record<string, GroupConfig> = {
      plain: { nodes: { node1: 1, node2: 2, node3: 2 }, restricted: false, nofailback: false },
      restricted: { nodes: { node2: 1, node4: 3 }, restricted: true, nofailback: false },
      nofailback: { nodes: { node1: 1, node3: 2 }, restricted: false, nofailback: true },
      restrictedNofailback: { nodes: { node1: 2, node2: 1 }, restricted: true, nofailback: true },
    };
    for (const online of [['node1', 'node2', 'node3'], ['node2'], ['node1', 'node4'], ['node3']]) {
      const select = selector(online, groups, { node1: 1 });
      for (const group of [undefined, 'unknown', ...Object.keys(groups)]) {
        for (const currentNode of ['node1', 'node2', 'node3', 'node4']) {
          const kept = select.select(request({ group, currentNode })) === currentNode;
          assert.equal(select.keepsCurrent(group, currentNode), kept, `${group ?? 'no group'} on ${currentNode}, online ${online.join(',')}`);
        }
      }
    }
  });
});
