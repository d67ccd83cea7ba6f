import { strict as assert } from 'node:assert';
import { NODE_NAME_RULE } from '../../src/common/node-name.ts';
import { formatCrmCommand, parseCrmCommand, STOP_TIMEOUT_S_MAX, type CrmCommand } from '../../src/crm/crm-command.ts';

const COMMANDS: CrmCommand[] = [
  { kind: 'migrate', sid: 'vm:100', node: 'node2' },
  { kind: 'relocate', sid: 'ct:200', node: 'node3.example' },
  { kind: 'stop', sid: 'fa:1001', timeoutS: 0 },
  { kind: 'stop', sid: 'service:nginx', timeoutS: STOP_TIMEOUT_S_MAX },
  { kind: 'enable-node-maintenance', node: 'node1' },
  { kind: 'disable-node-maintenance', node: 'n-1' },
  { kind: 'disarm-ha', mode: 'freeze' },
  { kind: 'disarm-ha', mode: 'ignore' },
  { kind: 'arm-ha' },
  { kind: 'fence-ack', node: 'node3', by: 'admin@pve' },
];

describe('CRM commands: one module builds and reads the queued text', () => {
  it('formats every kind as one line that parses back to the same command', () => {
    for (const command of COMMANDS) {
      const line = formatCrmCommand(command);
      assert.doesNotMatch(line, /\n/);
      assert.deepEqual(parseCrmCommand(line), { ok: true, value: command }, line);
    }
  });

  it('writes the text Proxmox queues', () => {
    assert.deepEqual(COMMANDS.map(formatCrmCommand), [
      'migrate vm:100 node2',
      'relocate ct:200 node3.example',
      'stop fa:1001 0',
      'stop service:nginx 86400',
      'enable-node-maintenance node1',
      'disable-node-maintenance n-1',
      'disarm-ha freeze',
      'disarm-ha ignore',
      'arm-ha',
      'fence-ack node3 admin@pve',
    ]);
  });

  it('reads surrounding and repeated blanks as one separator', () => {
    assert.deepEqual(parseCrmCommand('  migrate \t vm:100   node2 \n'), { ok: true, value: { kind: 'migrate', sid: 'vm:100', node: 'node2' } });
  });

  const malformed: Array<[string, string]> = [
    ['', 'Empty CRM command'],
    ['   ', 'Empty CRM command'],
    ['fence node1', "Unknown CRM command 'fence', expected one of migrate, relocate, stop, enable-node-maintenance, disable-node-maintenance, disarm-ha, arm-ha, fence-ack"],
    ['MIGRATE vm:100 node2', "Unknown CRM command 'MIGRATE', expected one of migrate, relocate, stop, enable-node-maintenance, disable-node-maintenance, disarm-ha, arm-ha, fence-ack"],
    ['migrate vm:100', "CRM command 'migrate vm:100': migrate takes <sid> <node>"],
    ['relocate vm:100 node2 node3', "CRM command 'relocate vm:100 node2 node3': relocate takes <sid> <node>"],
    ['stop vm:100', "CRM command 'stop vm:100': stop takes <sid> <timeout>"],
    ['enable-node-maintenance', "CRM command 'enable-node-maintenance': enable-node-maintenance takes <node>"],
    ['disable-node-maintenance node1 node2', "CRM command 'disable-node-maintenance node1 node2': disable-node-maintenance takes <node>"],
    ['disarm-ha', "CRM command 'disarm-ha': disarm-ha takes freeze|ignore"],
    ['disarm-ha stop', "Bad disarm mode 'stop', expected freeze or ignore"],
    ['arm-ha now', "CRM command 'arm-ha now': arm-ha takes no arguments"],
    ['fence-ack node3', "CRM command 'fence-ack node3': fence-ack takes <node> <operator>"],
    ['fence-ack node3 a;b', "Bad operator name 'a;b', expected one word such as root@pam"],
    ['migrate 100 node2', "Bad service id '100' in CRM command 'migrate 100 node2', expected <type>:<name>"],
    ['stop vm:100; 5', "Bad service id 'vm:100;' in CRM command 'stop vm:100; 5', expected <type>:<name>"],
    ['migrate vm:100 node_2', `Bad node name 'node_2': ${NODE_NAME_RULE}`],
    ['enable-node-maintenance ../x', `Bad node name '../x': ${NODE_NAME_RULE}`],
    ['stop vm:100 soon', `Bad timeout 'soon', expected seconds from 0 to ${STOP_TIMEOUT_S_MAX}`],
    ['stop vm:100 -1', `Bad timeout '-1', expected seconds from 0 to ${STOP_TIMEOUT_S_MAX}`],
    ['stop vm:100 86401', `Bad timeout '86401', expected seconds from 0 to ${STOP_TIMEOUT_S_MAX}`],
  ];
  for (const [line, problem] of malformed) {
    it(`refuses ${JSON.stringify(line)} with a problem that says why`, () => {
      assert.deepEqual(parseCrmCommand(line), { ok: false, problem });
    });
  }

  it('refuses to format a command whose parts would not read back', () => {
    assert.throws(() => formatCrmCommand({ kind: 'migrate', sid: 'vm:100', node: 'node 2' }), /Bad CRM command .*Bad node name|takes <sid> <node>/);
    assert.throws(() => formatCrmCommand({ kind: 'stop', sid: 'vm:100', timeoutS: 1.5 }), /Bad timeout '1.5'/);
  });
});
