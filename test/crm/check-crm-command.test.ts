import { strict as assert } from 'node:assert';
import type { GroupConfig, ResourceConfig } from '../../src/common/ha-config.ts';
import { newServiceStatus } from '../../src/common/manager-status.ts';
import type { NodeState } from '../../src/common/states.ts';
import { checkCrmCommand, type CommandKnowledge } from '../../src/crm/check-crm-command.ts';

const resource = (node: string, extra: Partial<ResourceConfig> = {}): ResourceConfig => ({ node, state: 'started', maxRestart: 1, maxRelocate: 1, ...extra });
const resources = { 'vm:100': resource('node1'), 'ct:200': resource('node1', { group: 'pair' }), 'vm:300': resource('node2', { state: 'ignored' }) };
const groups: Record<string, GroupConfig> = { pair: { nodes: { node1: 0, node3: 0 }, restricted: true, nofailback: false } };

/** What `ha-manager` knows: the configuration and the nodes its files name. */
const cli: CommandKnowledge = { resources, groups, knownNodes: ['node1', 'node2', 'node3'] };

/** What the master knows besides: the services it manages, and its node states. */
function master(nodeStates: Record<string, NodeState>): CommandKnowledge {
  const managed = new Map([['vm:100', newServiceStatus('started', 'node1', 'u1')], ['ct:200', newServiceStatus('started', 'node1', 'u2')]]);
  return { ...cli, master: { service: (sid) => managed.get(sid), nodeState: (node) => nodeStates[node], disarm: () => undefined, isMember: (node) => nodeStates[node] === "online" || nodeStates[node] === "maintenance" } };
}

describe('checkCrmCommand: one checker for the master and the CLI', () => {
  const allOnline = master({ node1: 'online', node2: 'online', node3: 'online' });

  it('the master: an unmanaged service is an error, a target not online an error, the current node ignored', () => {
    assert.deepEqual(checkCrmCommand({ kind: 'migrate', sid: 'vm:300', node: 'node2' }, allOnline), { result: 'error', reason: 'No such service vm:300: the master does not manage it' });
    const node2Lost = master({ node1: 'online', node2: 'unknown', node3: 'online' });
    assert.deepEqual(checkCrmCommand({ kind: 'relocate', sid: 'vm:100', node: 'node2' }, node2Lost), { result: 'error', reason: 'Node node2 is not online (unknown)' });
    assert.deepEqual(checkCrmCommand({ kind: 'migrate', sid: 'vm:100', node: 'node9' }, allOnline), { result: 'error', reason: 'Node node9 is not online (unknown to the master)' });
    assert.deepEqual(checkCrmCommand({ kind: 'migrate', sid: 'vm:100', node: 'node1' }, allOnline), { result: 'ignored', reason: 'vm:100 is already on node1' });
    assert.deepEqual(checkCrmCommand({ kind: 'migrate', sid: 'vm:100', node: 'node2' }, allOnline), { result: 'accepted' });
    assert.deepEqual(checkCrmCommand({ kind: 'stop', sid: 'vm:100', timeoutS: 0 }, allOnline), { result: 'accepted' });
    assert.equal(checkCrmCommand({ kind: 'stop', sid: 'vm:999', timeoutS: 0 }, allOnline).result, 'error');
  });

  it('the master accepts a move out of a restricted group (Proxmox does; the group takes it back); the CLI refuses it', () => {
    assert.deepEqual(checkCrmCommand({ kind: 'migrate', sid: 'ct:200', node: 'node2' }, allOnline), { result: 'accepted' });
    assert.deepEqual(checkCrmCommand({ kind: 'migrate', sid: 'ct:200', node: 'node2' }, cli), {
      result: 'error',
      reason: "Node 'node2' is outside the restricted group 'pair' of ct:200 (its nodes: node1, node3)",
    });
    assert.deepEqual(checkCrmCommand({ kind: 'migrate', sid: 'ct:200', node: 'node3' }, cli), { result: 'accepted' });
  });

  it('the master: maintenance of an online node is accepted, of one in maintenance ignored, else an error; ending it always works', () => {
    const states = master({ node1: 'online', node2: 'maintenance', node3: 'fence' });
    assert.deepEqual(checkCrmCommand({ kind: 'enable-node-maintenance', node: 'node1' }, states), { result: 'accepted' });
    assert.deepEqual(checkCrmCommand({ kind: 'enable-node-maintenance', node: 'node2' }, states), { result: 'ignored', reason: 'node2 is already in maintenance' });
    assert.deepEqual(checkCrmCommand({ kind: 'enable-node-maintenance', node: 'node3' }, states), { result: 'error', reason: 'Node node3 is not online (fence)' });
    assert.deepEqual(checkCrmCommand({ kind: 'disable-node-maintenance', node: 'node2' }, states), { result: 'accepted' });
    assert.deepEqual(checkCrmCommand({ kind: 'disable-node-maintenance', node: 'node3' }, states), { result: 'accepted', reason: 'node3 was fence' });
  });

  it('the CLI: what it can tell from the files — unknown or ignored resources, unknown nodes', () => {
    assert.deepEqual(checkCrmCommand({ kind: 'relocate', sid: 'vm:555', node: 'node2' }, cli), { result: 'error', reason: "Unknown resource vm:555; 'ha-manager config' lists them" });
    assert.deepEqual(checkCrmCommand({ kind: 'stop', sid: 'vm:300', timeoutS: 5 }, cli), {
      result: 'error',
      reason: 'Resource vm:300 is ignored: the master does not manage it (set its state first)',
    });
    assert.deepEqual(checkCrmCommand({ kind: 'migrate', sid: 'vm:100', node: 'node9' }, cli), {
      result: 'error',
      reason: "Unknown node 'node9': not a cluster node (known nodes: node1, node2, node3)",
    });
    assert.deepEqual(checkCrmCommand({ kind: 'enable-node-maintenance', node: 'node7' }, { ...cli, knownNodes: [] }), {
      result: 'error',
      reason: "Unknown node 'node7': not a cluster node (known nodes: none yet)",
    });
    assert.deepEqual(checkCrmCommand({ kind: 'disable-node-maintenance', node: 'node2' }, cli), { result: 'accepted' });
  });
});
