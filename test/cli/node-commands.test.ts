import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir, freshDir, runCli } from './run-cli.ts';

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
const HAND_WRITTEN = '# our cluster\nha: cluster\n\t# half a minute\n\tfence_timeout 30\n\nnode: node1\n\tcpus 8\n\tmemory 16384\n';

describe('ha-manager node add, remove, list', () => {
  it('add appends a node section, remove takes it out again, the rest of ha.cfg byte for byte', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'ha.cfg'), HAND_WRITTEN);
    assert.deepEqual(await runCli(['node', 'add', 'node2', '--comment', 'rack 2', '--dir', dir]), { code: 0, stdout: '', stderr: '' });
    assert.equal((await runCli(['node', 'add', 'node3', '--cpus', '16', '--memory', '65536', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'ha.cfg'), `${HAND_WRITTEN}\nnode: node2\n\tcomment rack 2\n\nnode: node3\n\tcpus 16\n\tmemory 65536\n`);
    const listed = JSON.parse((await runCli(['node', 'list', '--output-format', 'json', '--dir', dir])).stdout);
    assert.deepEqual(
      listed.map((node: { node: string; declared: boolean; cpus: number | null; memoryMib: number | null; comment: string | null }) => [node.node, node.declared, node.cpus, node.memoryMib, node.comment]),
      [
        ['node1', true, 8, 16384, null],
        ['node2', true, null, null, 'rack 2'],
        ['node3', true, 16, 65536, null],
      ],
    );
    const text = (await runCli(['node', 'list', '--dir', dir])).stdout;
    assert.match(text, /^NODE +DECLARED +CPUS +MEMORY +MASTER +LRM +LEASE AGE +COMMENT\nnode1 +yes +8 +16384 MiB +- +- +-\nnode2 +yes +- +- +- +- +- +rack 2\n/);
    for (const node of ['node3', 'node2']) assert.equal((await runCli(['node', 'remove', node, '--dir', dir])).code, 0);
    assert.equal(read(dir, 'ha.cfg'), HAND_WRITTEN, 'add then remove restores the file');
  });

  it('refuses bad input with exit 2, one line, nothing written', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'ha.cfg'), HAND_WRITTEN);
    const cases: Array<[string[], string]> = [
      [['node', 'add', 'node_2'], "ha-manager: Bad node name 'node_2': letters, digits, '-' and '.', starting and ending with a letter or digit, at most 64 characters\n"],
      [['node', 'add', 'node1'], `ha-manager: Node 'node1' is declared already (${dir}/ha.cfg line 6)\n`],
      [['node', 'add', 'node2', '--cpus', '4'], "ha-manager: Node 'node2': give both --cpus and --memory (MiB), or neither\n"],
      [['node', 'add', 'node2', '--cpus', 'many', '--memory', '1024'], `ha-manager: Change refused, it would make ${dir}/ha.cfg:11: Option 'cpus': Bad value 'many', expected an integer from 1 to 65536\n`],
      [['node', 'remove', 'node7'], `ha-manager: Node 'node7' is not declared in ${dir}/ha.cfg (declared: node1)\n`],
      [['node'], 'ha-manager: Name a node command: add, remove or list\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, stderr, args.join(' '));
    }
    assert.equal(read(dir, 'ha.cfg'), HAND_WRITTEN);
  });

  it('with placement static, refuses a node without capacity, naming the rule', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tplacement static\n\nnode: node1\n\tcpus 8\n\tmemory 16384\n');
    const result = await runCli(['node', 'add', 'node2', '--dir', dir]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `ha-manager: Change refused, it would make ${dir}/ha.cfg:8: Node 'node2' needs 'cpus' and 'memory' (MiB) with placement static\n`);
  });

  it('remove refuses while a resource is on the node, a group names it, or its LRM is alive; says what to do', async () => {
    const dir = clusterDir();
    writeFileSync(join(dir, 'resources.cfg'), 'vm: 100\n\tnode node1\n\n');
    writeFileSync(join(dir, 'groups.cfg'), 'group: web\n\tnodes node2\n\n');
    mkdirSync(join(dir, 'status', 'lrm'), { recursive: true });
    writeFileSync(join(dir, 'status', 'lrm', 'node3.json'), JSON.stringify({ state: 'active', mode: 'active', results: {}, timestamp: Date.now() }));
    const before = read(dir, 'ha.cfg');
    const cases: Array<[string, string]> = [
      ['node1', "ha-manager: Node 'node1' still has vm:100; move them first ('ha-manager migrate <sid> <node>', or 'ha-manager crm-command node-maintenance enable node1')\n"],
      ['node2', "ha-manager: Node 'node2' is in group web; take it out first ('ha-manager groupset <group> --nodes ...')\n"],
    ];
    for (const [node, stderr] of cases) {
      const result = await runCli(['node', 'remove', node, '--dir', dir]);
      assert.equal(result.code, 2, node);
      assert.equal(result.stderr, stderr);
    }
    const alive = await runCli(['node', 'remove', 'node3', '--dir', dir]);
    assert.equal(alive.code, 2);
    assert.match(alive.stderr, /^ha-manager: Node 'node3' is alive: its LRM is active \(status \d+s old\); stop ha-lrm and ha-crm on node3 first/);
    assert.equal(read(dir, 'ha.cfg'), before);
    writeFileSync(join(dir, 'status', 'lrm', 'node3.json'), JSON.stringify({ state: 'active', mode: 'active', results: {}, timestamp: Date.now() - 3_600_000 }));
    assert.equal((await runCli(['node', 'remove', 'node3', '--dir', dir])).code, 0, 'an LRM silent for longer than fence_timeout is not alive');
  });
});

describe('known nodes on add, set and groups', () => {
  it('refuses an unknown node on add --node, set --node, groupadd/groupset --nodes with the declared list; nothing written', async () => {
    const dir = clusterDir();
    writeFileSync(join(dir, 'groups.cfg'), 'group: web\n\tnodes node1\n\trestricted 1\n\n');
    writeFileSync(join(dir, 'resources.cfg'), 'vm: 100\n\tnode node1\n\tgroup web\n\n');
    const declared = (node: string) => `Unknown node '${node}': ha.cfg declares node1, node2, node3; a new node is declared with 'ha-manager node add ${node}'\n`;
    const cases: Array<[string[], string]> = [
      [['add', 'vm:101', '--node', 'nodeX'], `ha-manager: --node: ${declared('nodeX')}`],
      [['set', 'vm:100', '--node', 'node9'], `ha-manager: --node: ${declared('node9')}`],
      [['groupadd', 'db', '--nodes', 'node1,ndoe2'], `ha-manager: --nodes: ${declared('ndoe2')}`],
      [['groupset', 'web', '--nodes', 'node1:2,node4'], `ha-manager: --nodes: ${declared('node4')}`],
    ];
    const before = [read(dir, 'resources.cfg'), read(dir, 'groups.cfg')];
    for (const [args, stderr] of cases) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, stderr);
    }
    assert.deepEqual([read(dir, 'resources.cfg'), read(dir, 'groups.cfg')], before);
  });

  it('refuses a resource outside its restricted group on add and set, as relocate is refused', async () => {
    const dir = clusterDir();
    writeFileSync(join(dir, 'groups.cfg'), 'group: web\n\tnodes node1,node2\n\trestricted 1\n\ngroup: any\n\tnodes node3\n\n');
    writeFileSync(join(dir, 'resources.cfg'), 'vm: 100\n\tnode node1\n\tgroup web\n\nvm: 200\n\tnode node3\n\n');
    const before = read(dir, 'resources.cfg');
    const outside = (node: string, sid: string) => `ha-manager: Node '${node}' is outside the restricted group 'web' of ${sid} (its nodes: node1, node2); give a node of the group with --node, or another group\n`;
    const cases: Array<[string[], string]> = [
      [['add', 'vm:101', '--node', 'node3', '--group', 'web'], outside('node3', 'vm:101')],
      [['set', 'vm:100', '--node', 'node3'], outside('node3', 'vm:100')],
      [['set', 'vm:200', '--group', 'web'], outside('node3', 'vm:200')],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, stderr);
    }
    assert.equal(read(dir, 'resources.cfg'), before);
    for (const args of [['add', 'vm:101', '--group', 'web'], ['set', 'vm:200', '--group', 'any'], ['set', 'vm:100', '--node', 'node2'], ['set', 'vm:200', '--group', 'web', '--node', 'node1']]) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    }
  });
});
