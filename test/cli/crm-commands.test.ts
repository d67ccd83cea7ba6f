import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { declareNodes, freshDir, runCli } from './run-cli.ts';

/** A cluster directory: node1 and node2 known from status files, node3 from a group. */
function cluster(): string {
  const dir = freshDir('ha-crm-');
  writeFileSync(join(dir, 'groups.cfg'), 'group: pair\n\tnodes node1,node3\n\trestricted 1\n\n');
  writeFileSync(join(dir, 'resources.cfg'), 'vm: 100\n\tnode node1\n\nct: 200\n\tgroup pair\n\n');
  mkdirSync(join(dir, 'status', 'lrm'), { recursive: true });
  writeFileSync(join(dir, 'status', 'manager.json'), JSON.stringify({ master_node: 'node1', node_status: { node1: 'online' }, service_status: {}, node_request: {} }));
  writeFileSync(join(dir, 'status', 'lrm', 'node2.json'), JSON.stringify({ state: 'active', mode: 'active', results: {}, timestamp: Date.now() }));
  return dir;
}

function queued(dir: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(join(dir, 'commands')).sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    assert.match(name, /^\d{15}-\d{4}\..+\.\d+\.cmd$/);
    return readFileSync(join(dir, 'commands', name), 'utf8');
  });
}

describe('ha-manager migrate, relocate and crm-command', () => {
  it('queue one command file each for the master, in the order given', async () => {
    const dir = cluster();
    const calls = [
      ['migrate', 'vm:100', 'node2'],
      ['relocate', '100', 'node3'],
      ['crm-command', 'migrate', 'ct:200', 'node3'],
      ['crm-command', 'relocate', 'ct:200', 'node1'],
      ['crm-command', 'stop', 'vm:100', '120'],
      ['crm-command', 'node-maintenance', 'enable', 'node2'],
      ['crm-command', 'node-maintenance', 'disable', 'node2'],
    ];
    for (const args of calls) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stdout, /^Queued for the master: .+\n$/);
    }
    assert.deepEqual(queued(dir), [
      'migrate vm:100 node2\n',
      'relocate vm:100 node3\n',
      'migrate ct:200 node3\n',
      'relocate ct:200 node1\n',
      'stop vm:100 120\n',
      'enable-node-maintenance node2\n',
      'disable-node-maintenance node2\n',
    ]);
    assert.equal(readFileSync(join(dir, 'resources.cfg'), 'utf8'), 'vm: 100\n\tnode node1\n\nct: 200\n\tgroup pair\n\n', 'requests change no config');
  });

  it('refuses unknown nodes, nodes outside a restricted group, unknown services and bad timeouts', async () => {
    const dir = cluster();
    const cases: Array<[string[], string]> = [
      [['migrate', 'vm:100', 'node9'], "ha-manager: Unknown node 'node9': ha.cfg declares no node, so the known nodes are those seen in the status files and groups: node1, node2, node3; declare the cluster's nodes with 'ha-manager node add <name>'\n"],
      [['crm-command', 'relocate', 'vm:100', 'node9'], "ha-manager: Unknown node 'node9': ha.cfg declares no node, so the known nodes are those seen in the status files and groups: node1, node2, node3; declare the cluster's nodes with 'ha-manager node add <name>'\n"],
      [['migrate', 'ct:200', 'node2'], "ha-manager: Node 'node2' is outside the restricted group 'pair' of ct:200 (its nodes: node1, node3)\n"],
      [['relocate', 'vm:555', 'node2'], "ha-manager: Unknown resource vm:555; 'ha-manager config' lists them\n"],
      [['crm-command', 'stop', 'vm:100', 'soon'], "ha-manager: Bad timeout 'soon', expected seconds from 0 to 86400\n"],
      [['crm-command', 'stop', 'vm:100'], 'ha-manager: crm-command stop: missing <timeout> (usage: ha-manager crm-command stop <sid> <timeout>)\n'],
      [['crm-command', 'node-maintenance', 'enable', 'node7'], "ha-manager: Unknown node 'node7': ha.cfg declares no node, so the known nodes are those seen in the status files and groups: node1, node2, node3; declare the cluster's nodes with 'ha-manager node add <name>'\n"],
      [['crm-command', 'node-maintenance', 'pause', 'node1'], 'ha-manager: Invalid values: Argument: action, Given: "pause", Choices: "enable", "disable"\n'],
      [['crm-command', 'fence', 'node1'], 'ha-manager: Unknown arguments: fence, node1\n'],
      [['migrate', 'vm:100', 'node_2'], "ha-manager: Bad node name 'node_2': letters, digits, '-' and '.', starting and ending with a letter or digit, at most 64 characters\n"],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, stderr);
    }
    assert.deepEqual(queued(dir), []);
  });

  it('refuses a request for an ignored service, which the master would refuse as unknown', async () => {
    const dir = cluster();
    writeFileSync(join(dir, 'resources.cfg'), 'vm: 100\n\tnode node1\n\tstate ignored\n\n');
    for (const args of [['migrate', 'vm:100', 'node2'], ['crm-command', 'stop', 'vm:100', '0']]) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, 'ha-manager: Resource vm:100 is ignored: the master does not manage it (set its state first)\n');
    }
    assert.deepEqual(queued(dir), []);
  });

  it('knows no node in an empty directory, and says how to declare one', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'resources.cfg'), 'vm: 100\n\tnode node1\n\n');
    const result = await runCli(['migrate', 'vm:100', 'node1', '--dir', dir]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "ha-manager: Unknown node 'node1': ha.cfg declares no node, so the known nodes are those seen in the status files and groups: none; declare the cluster's nodes with 'ha-manager node add <name>'\n");
  });

  it('knows the nodes ha.cfg declares, and only those, once it declares any', async () => {
    const dir = cluster();
    declareNodes(dir, ['node1', 'node2', 'node3', 'node4']);
    const declared = "; a new node is declared with 'ha-manager node add node5'\n";
    const cases: Array<[string[], string]> = [
      [['migrate', 'vm:100', 'node5'], `ha-manager: Unknown node 'node5': ha.cfg declares node1, node2, node3, node4${declared}`],
      [['relocate', 'vm:100', 'node5'], `ha-manager: Unknown node 'node5': ha.cfg declares node1, node2, node3, node4${declared}`],
      [['crm-command', 'node-maintenance', 'enable', 'node5'], `ha-manager: Unknown node 'node5': ha.cfg declares node1, node2, node3, node4${declared}`],
      [['crm-command', 'node-maintenance', 'disable', 'node5'], `ha-manager: Unknown node 'node5': ha.cfg declares node1, node2, node3, node4${declared}`],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, stderr);
    }
    assert.deepEqual(queued(dir), []);
    const declaredOnly = await runCli(['migrate', 'vm:100', 'node4', '--dir', dir]);
    assert.equal(declaredOnly.code, 0, 'node4 is declared, though no status file or group names it');
  });

  it('crm-command disarm-ha and arm-ha queue the request; a note when the master\'s last status says it will ignore it', async () => {
    const dir = cluster();
    const disarm = await runCli(['crm-command', 'disarm-ha', 'freeze', '--dir', dir]);
    assert.equal(disarm.code, 0, disarm.stderr);
    assert.equal(disarm.stdout, 'Queued for the master: disarm-ha freeze\n');
    const arm = await runCli(['crm-command', 'arm-ha', '--dir', dir]);
    assert.equal(arm.code, 0, arm.stderr);
    assert.match(arm.stderr, /note: the master last reported the HA stack armed: it will ignore this\n/);
    const status = JSON.parse(readFileSync(join(dir, 'status', 'manager.json'), 'utf8'));
    writeFileSync(join(dir, 'status', 'manager.json'), JSON.stringify({ ...status, disarm: { mode: 'ignore', state: 'disarmed' } }));
    const again = await runCli(['crm-command', 'disarm-ha', 'freeze', '--dir', dir]);
    assert.match(again.stderr, /note: the HA stack is already disarmed \(ignore\): the master will ignore this\n/);
    const bad = await runCli(['crm-command', 'disarm-ha', 'stop', '--dir', dir]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'ha-manager: Invalid values: Argument: mode, Given: "stop", Choices: "freeze", "ignore"\n');
    assert.deepEqual(queued(dir), ['disarm-ha freeze\n', 'arm-ha\n', 'disarm-ha freeze\n']);
  });

  it('warns on stderr when no master holds a fresh lease, and still queues', async () => {
    const dir = cluster();
    for (const args of [['migrate', 'vm:100', 'node2'], ['crm-command', 'node-maintenance', 'enable', 'node2'], ['crm-command', 'stop', 'vm:100', '10']]) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 0, args.join(' '));
      assert.equal(result.stderr, 'ha-manager: warning: no master is active: the request is queued and runs when a master is elected\n');
      assert.match(result.stdout, /^Queued for the master: /);
    }
    assert.equal(queued(dir).length, 3);
    const set = await runCli(['set', 'vm:100', '--state', 'stopped', '--dir', dir]);
    assert.equal(set.code, 0);
    assert.equal(set.stderr, 'ha-manager: warning: no master is active: the request is queued and runs when a master is elected\n');
    const comment = await runCli(['set', 'vm:100', '--comment', 'db', '--dir', dir]);
    assert.equal(comment.stderr, '', 'a change that asks nothing of the master is not warned about');
  });
});
