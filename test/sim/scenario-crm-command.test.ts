import { strict as assert } from 'node:assert';
import type { CrmCommand } from '../../src/crm/crm-command.ts';
import { crmCommandOf, scenarioCommandOf } from '../../src/sim/scenario-crm-command.ts';
import { parseCommand } from '../../src/sim/sim-commands.ts';

describe('CRM commands in the scenario language', () => {
  it('every CRM command round-trips through its scenario command', () => {
    const commands: CrmCommand[] = [
      { kind: 'migrate', sid: 'vm:101', node: 'node2' },
      { kind: 'relocate', sid: 'ct:102', node: 'node3' },
      { kind: 'stop', sid: 'vm:101', timeoutS: 30 },
      { kind: 'enable-node-maintenance', node: 'node1' },
      { kind: 'disable-node-maintenance', node: 'node1' },
      { kind: 'disarm-ha', mode: 'freeze' },
      { kind: 'disarm-ha', mode: 'ignore' },
      { kind: 'arm-ha' },
    ];
    for (const command of commands) {
      const text = scenarioCommandOf(command, 'node2');
      const parsed = parseCommand(text, new Set(['node1', 'node2', 'node3']));
      assert.notEqual(typeof parsed, 'string', `${text}: ${String(parsed)}`);
      assert.deepEqual(crmCommandOf(parsed as Exclude<typeof parsed, string>), command, text);
    }
  });

  it('other scenario commands queue no CRM command', () => {
    for (const text of ['crm node1 stop', 'crm node1 start', 'service vm:101 started', 'power node1 on', 'service vm:101 manual-migrate node1']) {
      const parsed = parseCommand(text, new Set(['node1']));
      assert.equal(crmCommandOf(parsed as Exclude<typeof parsed, string>), undefined, text);
    }
  });

  it('disarm and arm name a node that exists and a mode there is; manual-migrate a node', () => {
    const nodes = new Set(['node1']);
    assert.match(String(parseCommand('crm node1 disarm-ha stop', nodes)), /expected 'crm <node> disarm-ha freeze\|ignore'/);
    assert.match(String(parseCommand('crm node9 arm-ha', nodes)), /unknown node 'node9'/);
    assert.match(String(parseCommand('crm node1 arm-ha freeze', nodes)), /expected 'crm <node> arm-ha'/);
    assert.match(String(parseCommand('service vm:101 manual-migrate', nodes)), /expected 'service <sid> manual-migrate <node>'/);
  });

  it('a stop timeout the CRM command would refuse is a scenario error, not a crash later', () => {
    assert.match(String(parseCommand('service vm:101 stop 99999999', new Set(['node1']))), /expected 'service <sid> stop <timeout>', timeout 0 to 86400 s/);
  });
});
