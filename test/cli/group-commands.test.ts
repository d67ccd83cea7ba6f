import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir, runCli } from './run-cli.ts';

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

describe('ha-manager groupadd, groupset, groupremove, groupconfig', () => {
  it('creates, changes, lists and removes groups', async () => {
    const dir = clusterDir();
    assert.deepEqual(await runCli(['groupadd', 'web', '--nodes', 'node1:2,node2', '--restricted', '--comment', 'front', '--dir', dir]), { code: 0, stdout: '', stderr: '' });
    assert.equal((await runCli(['groupadd', 'db', '--nodes', 'node3', '--nofailback', '1', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'groups.cfg'), 'group: web\n\tcomment front\n\tnodes node1:2,node2\n\trestricted 1\n\ngroup: db\n\tnodes node3\n\tnofailback 1\n\n');
    assert.equal((await runCli(['groupset', 'web', '--restricted', 'no', '--delete', 'comment', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'groups.cfg'), 'group: web\n\tnodes node1:2,node2\n\trestricted 0\n\ngroup: db\n\tnodes node3\n\tnofailback 1\n\n');
    const text = await runCli(['groupconfig', '--dir', dir]);
    assert.equal(text.stdout, 'group: db\n\tnodes node3\n\trestricted 0\n\tnofailback 1\n\ngroup: web\n\tnodes node1:2,node2\n\trestricted 0\n\tnofailback 0\n');
    const json = await runCli(['groupconfig', '--output-format', 'json', '--dir', dir]);
    assert.deepEqual(JSON.parse(json.stdout), [
      { group: 'db', type: 'group', nodes: 'node3', restricted: 0, nofailback: 1 },
      { group: 'web', type: 'group', nodes: 'node1:2,node2', restricted: 0, nofailback: 0 },
    ]);
    assert.equal((await runCli(['groupremove', 'db', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'groups.cfg'), 'group: web\n\tnodes node1:2,node2\n\trestricted 0\n\n');
  });

  it('refuses to remove a group in use, then treats a removed group as unknown', async () => {
    const dir = clusterDir();
    await runCli(['groupadd', 'web', '--nodes', 'node1', '--dir', dir]);
    await runCli(['add', 'vm:100', '--group', 'web', '--dir', dir]);
    await runCli(['add', 'vm:101', '--group', 'web', '--dir', dir]);
    const refused = await runCli(['groupremove', 'web', '--dir', dir]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, "ha-manager: Group 'web' is used by vm:100, vm:101; change their group first ('ha-manager set <sid> --group ...' or '--delete group')\n");
    for (const sid of ['vm:100', 'vm:101']) assert.equal((await runCli(['set', sid, '--node', 'node1', '--delete', 'group', '--dir', dir])).code, 0);
    assert.equal((await runCli(['groupremove', 'web', '--dir', dir])).code, 0);
    const unknown = await runCli(['set', 'vm:100', '--group', 'web', '--dir', dir]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "ha-manager: Unknown group 'web'; create it with 'ha-manager groupadd web --nodes ...'\n");
  });

  it('refuses bad group input with exit 2', async () => {
    const dir = clusterDir();
    await runCli(['groupadd', 'web', '--nodes', 'node1', '--dir', dir]);
    const cases: Array<[string[], string]> = [
      [['groupadd', 'db'], 'ha-manager: Missing required argument: nodes\n'],
      [['groupadd', 'web', '--nodes', 'node2'], `ha-manager: Group 'web' already exists (${dir}/groups.cfg line 1); change it with 'ha-manager groupset web'\n`],
      [['groupadd', '9x', '--nodes', 'node2'], "ha-manager: Bad group name '9x', expected a letter followed by letters, digits, '-' or '_'\n"],
      [['groupadd', 'db', '--nodes', 'node1:high'], "ha-manager: Option 'nodes': Bad node entry 'node1:high', expected node[:priority]\n"],
      [['groupadd', 'db', '--nodes', 'node1', '--restricted', 'maybe'], "ha-manager: Option 'restricted': Bad value 'maybe', expected 0 or 1\n"],
      [['groupset', 'nosuch', '--nodes', 'node1'], "ha-manager: Unknown group 'nosuch'; 'ha-manager groupconfig' lists them\n"],
      [['groupset', 'web', '--delete', 'nodes'], "ha-manager: --delete: A group cannot be without 'nodes'; remove the group instead\n"],
      [['groupremove', 'nosuch'], "ha-manager: Unknown group 'nosuch'; 'ha-manager groupconfig' lists them\n"],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, stderr);
    }
    assert.equal(read(dir, 'groups.cfg'), 'group: web\n\tnodes node1\n\n');
  });
});
