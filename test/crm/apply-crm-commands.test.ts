import { strict as assert } from 'node:assert';
import { emptyManagerStatus, newServiceStatus } from '../../src/common/manager-status.ts';
import type { TraceBody } from '../../src/common/trace.ts';
import { applyCrmCommands } from '../../src/crm/apply-crm-commands.ts';
import { disarmSwitch } from '../../src/crm/disarm.ts';
import { compileRules } from '../../src/crm/rules/compile-rules.ts';
import { negative, NODES3, positive } from './rules/rule-fixtures.ts';

/** A master that manages vm:1..vm:4 and sees node1..node3 online. */
function master(placement: Record<string, string>) {
  const status = emptyManagerStatus();
  for (const [sid, node] of Object.entries(placement)) status.serviceStatus.set(sid, newServiceStatus('started', node, 'u'));
  const events: TraceBody[] = [];
  const knowing = {
    resources: {},
    groups: {},
    knownNodes: NODES3,
    master: { service: (sid: string) => status.serviceStatus.get(sid), nodeState: () => 'online' as const, disarm: () => status.disarm, isMember: () => true },
  };
  const rules = compileRules([negative('apart', ['vm:1', 'vm:2']), positive('pair', ['vm:1', 'vm:3', 'vm:4'])], NODES3);
  return { status, events, apply: (lines: string[]) => applyCrmCommands({ lines, status, knowing, rules, emit: (event) => events.push(event), stack: disarmSwitch({ status, entries: () => [...status.serviceStatus], configuredNode: () => undefined, newUid: () => 'u', emit: (event) => events.push(event), nodesChanged: () => {} }) }) };
}

describe('applyCrmCommands with resource affinity (README-5.2 §6.5)', () => {
  it('refuses a move onto a negative partner and queues nothing', () => {
    const { status, events, apply } = master({ 'vm:1': 'node1', 'vm:2': 'node2', 'vm:3': 'node1', 'vm:4': 'node1' });
    apply(['migrate vm:1 node2']);
    assert.deepEqual(events, [{ ev: 'crm-command', cmd: 'migrate vm:1 node2', result: 'error', reason: 'negative affinity with vm:2 on node2' }]);
    assert.equal(status.serviceStatus.get('vm:1')!.cmd, undefined);
    assert.equal(status.serviceStatus.get('vm:3')!.cmd, undefined);
  });

  it('queues the move on the service and on the partners not on the target, each reported after it', () => {
    const { status, events, apply } = master({ 'vm:1': 'node1', 'vm:2': 'node2', 'vm:3': 'node1', 'vm:4': 'node3' });
    apply(['relocate vm:1 node3']);
    assert.deepEqual(events, [
      { ev: 'crm-command', cmd: 'relocate vm:1 node3', result: 'accepted' },
      { ev: 'crm-command', cmd: 'relocate vm:3 node3', result: 'accepted', reason: 'positive affinity with vm:1', via: 'relocate vm:1 node3' },
    ]);
    assert.deepEqual(status.serviceStatus.get('vm:3')!.cmd, { kind: 'relocate', target: 'node3' });
    assert.equal(status.serviceStatus.get('vm:4')!.cmd, undefined, 'already on the target');
  });

  it('sees the state at command time: of two commands in one batch the second sees the first still on its node', () => {
    const { events, apply } = master({ 'vm:1': 'node1', 'vm:2': 'node2', 'vm:3': 'node1', 'vm:4': 'node1' });
    apply(['migrate vm:2 node3', 'migrate vm:1 node2']);
    const verdicts = events.filter((event) => event.ev === 'crm-command' && event.via === undefined);
    assert.deepEqual(verdicts, [
      { ev: 'crm-command', cmd: 'migrate vm:2 node3', result: 'accepted' },
      { ev: 'crm-command', cmd: 'migrate vm:1 node2', result: 'error', reason: 'negative affinity with vm:2 on node2' },
    ]);
  });
});
