import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir, runCli } from './run-cli.ts';

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

async function dirWithServices(sids: string[]): Promise<string> {
  const dir = clusterDir();
  for (const sid of sids) assert.equal((await runCli(['add', sid, '--node', 'node1', '--dir', dir])).code, 0, sid);
  return dir;
}

describe('ha-manager rules', () => {
  it('adds, changes, lists and removes rules in rules.cfg', async () => {
    const dir = await dirWithServices(['vm:101', 'vm:102', 'ct:200']);
    const add = await runCli(['rules', 'add', 'node-affinity', 'web', '--resources', 'vm:101,vm:102', '--nodes', 'node1,node2', '--strict', '--dir', dir]);
    assert.deepEqual(add, { code: 0, stdout: '', stderr: '' });
    assert.equal((await runCli(['rules', 'add', 'resource-affinity', 'apart', '--resources', 'vm:101,ct:200', '--affinity', 'negative', '--comment', 'not together', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'rules.cfg'), 'node-affinity: web\n\tnodes node1,node2\n\tresources vm:101,vm:102\n\tstrict 1\n\nresource-affinity: apart\n\tcomment not together\n\taffinity negative\n\tresources vm:101,ct:200\n\n');
    assert.equal((await runCli(['rules', 'set', 'node-affinity', 'web', '--strict', '0', '--nodes', 'node2:2,node1', '--dir', dir])).code, 0);
    assert.equal((await runCli(['rules', 'set', 'resource-affinity', 'apart', '--disable', '--delete', 'comment', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'rules.cfg'), 'node-affinity: web\n\tnodes node2:2,node1\n\tresources vm:101,vm:102\n\tstrict 0\n\nresource-affinity: apart\n\taffinity negative\n\tdisable 1\n\tresources vm:101,ct:200\n\n');
    const list = await runCli(['rules', 'list', '--dir', dir]);
    assert.equal(list.stdout, 'RULE   TYPE               USE       RESOURCES      NODES / AFFINITY\nweb    node-affinity      in use    vm:101,vm:102  node2:2,node1\napart  resource-affinity  disabled  vm:101,ct:200  negative\n');
    assert.equal((await runCli(['rules', 'set', 'resource-affinity', 'apart', '--disable', '0', '--dir', dir])).code, 0, '--disable 0 enables: no line at all');
    assert.doesNotMatch(read(dir, 'rules.cfg'), /disable/);
    assert.equal((await runCli(['rules', 'remove', 'apart', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'rules.cfg'), 'node-affinity: web\n\tnodes node2:2,node1\n\tresources vm:101,vm:102\n\tstrict 0\n\n');
  });

  it('rules config says which rules are in use and why the master drops the others; add warns of a dropped rule', async () => {
    const dir = await dirWithServices(['vm:101', 'vm:102']);
    await runCli(['rules', 'add', 'node-affinity', 'pref', '--resources', 'vm:101', '--nodes', 'node1:2,node2', '--dir', dir]);
    const added = await runCli(['rules', 'add', 'resource-affinity', 'pair', '--resources', 'vm:101,vm:102', '--affinity', 'positive', '--dir', dir]);
    assert.equal(added.code, 0);
    assert.equal(added.stderr, "ha-manager: note: the master drops rule 'pair' as it stands: resources are in node affinity rules with multiple priorities ('ha-manager rules config' shows every rule)\n");
    const config = await runCli(['rules', 'config', '--dir', dir]);
    assert.equal(
      config.stdout,
      'node-affinity: pref\n\tresources vm:101\n\tnodes node1:2,node2\n\tstrict 0\n\t# dropped: resources are in a resource affinity rule and cannot be in a node affinity rule with multiple priorities\n\n' +
        'resource-affinity: pair\n\tresources vm:101,vm:102\n\taffinity positive\n\t# dropped: resources are in node affinity rules with multiple priorities\n',
    );
    const json = JSON.parse((await runCli(['rules', 'config', '--output-format', 'json', '--dir', dir])).stdout) as Array<{ rule: string; use: string }>;
    assert.deepEqual(json.map((entry) => [entry.rule, entry.use]), [['pref', 'dropped'], ['pair', 'dropped']]);
  });

  it('refuses bad rule input with exit 2 and writes nothing', async () => {
    const dir = await dirWithServices(['vm:101', 'vm:102']);
    await runCli(['rules', 'add', 'resource-affinity', 'pair', '--resources', 'vm:101,vm:102', '--affinity', 'positive', '--dir', dir]);
    const before = read(dir, 'rules.cfg');
    const cases: Array<[string[], string]> = [
      [['rules', 'add', 'node-affinity', 'x', '--resources', 'vm:101'], "ha-manager: A node-affinity rule needs --nodes (node-affinity only: nodes with optional priority, node[:priority],... (higher priority is preferred))\n"],
      [['rules', 'add', 'node-affinity', 'x', '--resources', 'vm:999', '--nodes', 'node1'], "ha-manager: --resources: Unknown resource vm:999; 'ha-manager config' lists them ('ha-manager add vm:999' first)\n"],
      [['rules', 'add', 'node-affinity', 'x', '--resources', 'vm:101', '--nodes', 'node9'], "ha-manager: --nodes: Unknown node 'node9': ha.cfg declares node1, node2, node3; a new node is declared with 'ha-manager node add node9'\n"],
      [['rules', 'add', 'resource-affinity', 'pair', '--resources', 'vm:101,vm:102', '--affinity', 'negative'], `ha-manager: Rule 'pair' already exists (${dir}/rules.cfg line 1); change it with 'ha-manager rules set resource-affinity pair'\n`],
      [['rules', 'add', 'resource-affinity', 'y', '--resources', 'vm:101,vm:102', '--affinity', 'negative', '--nodes', 'node1'], "ha-manager: Unknown option 'nodes' of a resource-affinity rule, expected one of resources, affinity, disable, comment\n"],
      [['rules', 'set', 'node-affinity', 'pair', '--strict'], "ha-manager: Rule 'pair' is a resource-affinity rule, not node-affinity: 'ha-manager rules set resource-affinity pair ...'\n"],
      [['rules', 'set', 'resource-affinity', 'pair', '--delete', 'affinity'], "ha-manager: --delete: A resource-affinity rule cannot be without 'affinity'; remove the rule instead\n"],
      [['rules', 'remove', 'nosuch'], "ha-manager: Unknown rule 'nosuch'; 'ha-manager rules list' lists them\n"],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, stderr);
    }
    assert.equal(read(dir, 'rules.cfg'), before);
  });

  it('keeps a rules.cfg written by Proxmox byte for byte where unchanged, and names file and line of a bad one', async () => {
    const dir = await dirWithServices(['vm:101', 'vm:102']);
    const proxmox = '# written by Proxmox VE 9\nnode-affinity: ha-group-web\n\tresources vm:101\n\tnodes node1:2,node2:1\n\tstrict 1\n\nresource-affinity: pair\n\taffinity positive\n\tresources vm:101,vm:102\n';
    writeFileSync(join(dir, 'rules.cfg'), proxmox);
    assert.equal((await runCli(['rules', 'set', 'resource-affinity', 'pair', '--comment', 'x', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'rules.cfg'), proxmox.replace('resource-affinity: pair\n', 'resource-affinity: pair\n\tcomment x\n'));
    writeFileSync(join(dir, 'rules.cfg'), 'resource-affinity: pair\n\tresources vm:101,vm:102\n\taffinity sometimes\n');
    const bad = await runCli(['rules', 'list', '--dir', dir]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `ha-manager: ${dir}/rules.cfg:3: Option 'affinity': Bad value 'sometimes', expected positive or negative\n`);
  });

  it('refuses a move out of a strict node-affinity rule, as out of a restricted group; a disabled rule does not count', async () => {
    const dir = await dirWithServices(['vm:101']);
    await runCli(['rules', 'add', 'node-affinity', 'pin', '--resources', 'vm:101', '--nodes', 'node1,node2', '--strict', '--dir', dir]);
    const refused = await runCli(['migrate', 'vm:101', 'node3', '--dir', dir]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, "ha-manager: Node 'node3' is outside the strict node-affinity rule 'pin' of vm:101 (its nodes: node1, node2)\n");
    await runCli(['rules', 'set', 'node-affinity', 'pin', '--disable', '--dir', dir]);
    assert.equal((await runCli(['migrate', 'vm:101', 'node3', '--dir', dir])).code, 0);
  });

  it('migrate-groups writes the groups in use as rules, nofailback as failback 0, and empties groups.cfg', async () => {
    const dir = clusterDir();
    await runCli(['groupadd', 'web', '--nodes', 'node1:2,node2', '--restricted', '--nofailback', '--dir', dir]);
    await runCli(['groupadd', 'idle', '--nodes', 'node3', '--dir', dir]);
    for (const sid of ['vm:101', 'vm:102']) await runCli(['add', sid, '--group', 'web', '--node', 'node1', '--dir', dir]);
    const migrated = await runCli(['rules', 'migrate-groups', '--dir', dir]);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.equal(migrated.stdout, "group 'idle' removed: no resource uses it\ngroup 'web' -> node-affinity rule 'ha-group-web' (vm:101, vm:102)\nfailback 0 (the group's nofailback) on vm:101, vm:102\n");
    assert.equal(read(dir, 'groups.cfg'), '');
    assert.equal(read(dir, 'rules.cfg'), "node-affinity: ha-group-web\n\tcomment Generated from HA group 'web'.\n\tnodes node1:2,node2\n\tresources vm:101,vm:102\n\tstrict 1\n\n");
    assert.equal(read(dir, 'resources.cfg'), 'vm: 101\n\tfailback 0\n\tnode node1\n\nvm: 102\n\tfailback 0\n\tnode node1\n\n');
    const again = await runCli(['rules', 'migrate-groups', '--dir', dir]);
    assert.equal(again.code, 2);
    assert.equal(again.stderr, `ha-manager: No HA groups in ${dir}/groups.cfg: nothing to migrate\n`);
  });
});
