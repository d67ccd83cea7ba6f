import { strict as assert } from 'node:assert';
import { isValidNodeName } from '../../src/common/node-name.ts';
import { checkNodeName, checkNodeList } from '../../src/config/config-values.ts';
import { checkNode } from '../../src/crm/crm-command.ts';
import { parseNodeOptions } from '../../src/env/node-options.ts';
import { isValidLeaseName } from '../../src/store/lease-store.ts';

const ACCEPTED = ['node1', 'n', 'pve-01', 'Node7', '1node', 'node1.example.com', 'a'.repeat(64)];
const REFUSED = ['', 'node_2', '-node', 'node-', 'node.', '.node', 'node 2', '../x', 'node/2', 'a'.repeat(65), 'nöde'];

/** Every place that reads a node name, asked the same question. */
function verdicts(name: string): Record<string, boolean> {
  let isDaemonFlagAccepted = true;
  try {
    parseNodeOptions(['--node', name, '--dir', '/tmp/x']);
  } catch {
    isDaemonFlagAccepted = false;
  }
  return {
    rule: isValidNodeName(name),
    config: checkNodeName(name).ok,
    groupNodes: checkNodeList(name).ok,
    crmCommand: checkNode(name).ok,
    lease: isValidLeaseName(`agent.${name}`),
    daemonFlag: isDaemonFlagAccepted,
  };
}

describe('node names: one rule wherever a name is read', () => {
  it('config, group node lists, CRM commands, lease names and the daemons accept the same names', () => {
    for (const name of ACCEPTED) {
      assert.deepEqual(verdicts(name), { rule: true, config: true, groupNodes: true, crmCommand: true, lease: true, daemonFlag: true }, name);
    }
  });

  it('and refuse the same names, the refusal saying what a node name is', () => {
    for (const name of REFUSED) {
      assert.deepEqual(verdicts(name), { rule: false, config: false, groupNodes: false, crmCommand: false, lease: false, daemonFlag: false }, JSON.stringify(name));
    }
    const config = checkNodeName('node_2');
    assert.ok(!config.ok && /letters, digits, '-' and '\.'/.test(config.problem), JSON.stringify(config));
  });
});
