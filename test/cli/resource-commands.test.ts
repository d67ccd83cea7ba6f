import { strict as assert } from 'node:assert';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir, runCli } from './run-cli.ts';

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

describe('ha-manager add, set, remove, config', () => {
  it('add writes a Proxmox-style section; config lists it as text and JSON', async () => {
    const dir = clusterDir();
    assert.deepEqual(await runCli(['add', 'vm:100', '--node', 'node1', '--comment', 'web front', '--max_restart', '2', '--dir', dir]), { code: 0, stdout: '', stderr: '' });
    assert.equal((await runCli(['add', '200', '--type', 'ct', '--node', 'node2', '--state', 'stopped', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'resources.cfg'), 'vm: 100\n\tcomment web front\n\tmax_restart 2\n\tnode node1\n\nct: 200\n\tnode node2\n\tstate stopped\n\n');
    const text = await runCli(['config', '--dir', dir]);
    assert.equal(text.code, 0);
    assert.equal(text.stdout, 'ct:200\n\tstate stopped\n\tnode node2\n\tmax_restart 1\n\tmax_relocate 1\n\tfailback 1\n\nvm:100\n\tstate started\n\tnode node1\n\tmax_restart 2\n\tmax_relocate 1\n\tfailback 1\n\tcomment web front\n');
    const json = await runCli(['config', '--type', 'vm', '--output-format', 'json', '--dir', dir]);
    assert.deepEqual(JSON.parse(json.stdout), [{ sid: 'vm:100', type: 'vm', state: 'started', node: 'node1', max_restart: 2, max_relocate: 1, failback: 1, comment: 'web front' }]);
    const pretty = await runCli(['config', '--output-format', 'json-pretty', '--dir', dir]);
    assert.match(pretty.stdout, /^\[\n  \{\n    "sid": "ct:200",/);
  });

  it('takes the shared directory from HA_MANAGER_DIR when --dir is not given', async () => {
    const dir = clusterDir();
    assert.equal((await runCli(['add', 'service:nginx', '--node', 'node1'], { HA_MANAGER_DIR: dir })).code, 0);
    assert.equal(read(dir, 'resources.cfg'), 'service: nginx\n\tnode node1\n\n');
  });

  it('refuses bad input with exit 2 and one line naming the problem; nothing is written', async () => {
    const dir = clusterDir();
    await runCli(['add', 'vm:100', '--node', 'node1', '--dir', dir]);
    const before = read(dir, 'resources.cfg');
    const cases: Array<[string[], RegExp]> = [
      [['add', 'vm:100', '--node', 'node2'], /^ha-manager: Resource vm:100 already exists \(.*resources\.cfg line 1\); change it with 'ha-manager set vm:100'\n$/],
      [['add', 'vm:101', '--node', 'node2', '--state', 'running'], /^ha-manager: Option 'state': Bad state 'running', expected one of started, stopped, disabled, ignored \(enabled means started\)\n$/],
      [['add', 'vm:101', '--group', 'nosuch'], /^ha-manager: Unknown group 'nosuch'; create it with 'ha-manager groupadd nosuch --nodes \.\.\.'\n$/],
      [['add', 'vm:101', '--node', 'node1', '--max_relocate', '99'], /^ha-manager: Option 'max_relocate': Bad value '99', expected an integer from 0 to 10\n$/],
      [['add', 'vm:101', '--node', 'node1', '--colour', 'red'], /^ha-manager: Unknown argument: colour\n$/],
      [['add'], /^ha-manager: add: missing <sid> \(usage: ha-manager add <sid>\)\n$/],
      [['add', 'foo:bar'], /^ha-manager: Unknown service type 'foo' of foo:bar: this cluster's types are ct, ocf, service, sim, vm \(ha\.cfg 'drivers' maps types to drivers\)\n$/],
      [['add', 'qemu:100', '--node', 'node1'], /^ha-manager: Unknown service type 'qemu' of qemu:100: this cluster's types are ct, ocf, service, sim, vm /],
      [['add', 'ct:web'], /^ha-manager: Bad service id 'ct:web': ct ids are Proxmox VMIDs, integers from 100 to 999999999\n$/],
      [['set', 'vm:999', '--state', 'stopped'], /^ha-manager: Unknown resource vm:999; 'ha-manager config' lists them\n$/],
      [['set', 'vm:100'], /^ha-manager: Nothing to change for vm:100: give an option or --delete\n$/],
      [['remove', 'ct:100'], /^ha-manager: Unknown resource ct:100; 'ha-manager config' lists them\n$/],
      [['config', '--output-format', 'yaml'], /^ha-manager: Invalid values:.*Argument: output-format, Given: "yaml", Choices: "text", "json", "json-pretty"\n$/],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, stderr);
    }
    assert.equal(read(dir, 'resources.cfg'), before);
  });

  it('set changes one line in place, --delete removes options, a bare guest id names the resource', async () => {
    const dir = clusterDir();
    await runCli(['add', 'ct:200', '--node', 'node1', '--dir', dir]);
    assert.equal((await runCli(['set', '200', '--state', 'disabled', '--comment', 'db', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'resources.cfg'), 'ct: 200\n\tcomment db\n\tnode node1\n\tstate disabled\n\n');
    assert.equal((await runCli(['set', 'ct:200', '--delete', 'comment,state', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'resources.cfg'), 'ct: 200\n\tnode node1\n\n');
    assert.equal((await runCli(['remove', '200', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'resources.cfg'), '');
  });

  it('a Proxmox-written file stays byte-identical around edits of other sections and edits undone', async () => {
    const dir = clusterDir();
    cpSync('fixtures/configs/good/proxmox-basic', dir, { recursive: true });
    const original = read(dir, 'resources.cfg');
    assert.equal((await runCli(['add', 'vm:999', '--node', 'node3', '--dir', dir])).code, 0);
    assert.ok(read(dir, 'resources.cfg').startsWith(original));
    assert.equal((await runCli(['set', 'vm:101', '--state', 'started', '--dir', dir])).code, 0);
    assert.equal((await runCli(['set', 'vm:101', '--state', 'stopped', '--dir', dir])).code, 0);
    assert.equal((await runCli(['remove', 'vm:999', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'resources.cfg'), original);
    const handDir = clusterDir();
    cpSync('fixtures/configs/good/hand-edited', handDir, { recursive: true });
    const hand = read(handDir, 'resources.cfg');
    assert.equal((await runCli(['set', 'vm:200', '--state', 'started', '--dir', handDir])).code, 0);
    assert.equal(read(handDir, 'resources.cfg'), hand.replace('\tstate stopped\n', '\tstate started\n'));
    assert.equal((await runCli(['set', 'vm:200', '--state', 'stopped', '--dir', handDir])).code, 0);
    assert.equal(read(handDir, 'resources.cfg'), hand);
  });

  it('works on resources.cfg as Proxmox writes it, with no node lines: config, status, a one-line set', async () => {
    const dir = clusterDir();
    cpSync('fixtures/configs/good/proxmox-no-nodes', dir, { recursive: true });
    const original = read(dir, 'resources.cfg');
    const config = await runCli(['config', '--output-format', 'json', '--dir', dir]);
    assert.equal(config.code, 0, config.stderr);
    const listing = JSON.parse(config.stdout) as Array<{ sid: string; state: string; node?: string }>;
    assert.deepEqual(listing.map(({ sid, state, node }) => `${sid} ${state} ${node ?? '-'}`), ['ct:200 stopped -', 'ct:201 disabled -', 'ct:202 ignored -', 'vm:100 started -', 'vm:101 started -', 'vm:102 started -']);
    const text = await runCli(['config', '--dir', dir]);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(!text.stdout.includes('\tnode '), 'no node shown for a service not placed yet');
    const status = await runCli(['status', '--dir', dir]);
    assert.equal(status.code, 0, status.stderr);
    assert.ok(!status.stdout.includes('not loadable'), status.stdout);
    assert.equal((await runCli(['set', 'vm:101', '--node', 'node1', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'resources.cfg'), original.replace('\tmax_restart 2\n', '\tmax_restart 2\n\tnode node1\n'));
    assert.equal((await runCli(['add', 'vm:103', '--dir', dir])).code, 0, 'add needs no node: the master places the service');
    assert.equal((await runCli(['set', 'vm:101', '--delete', 'node', '--dir', dir])).code, 0);
    assert.equal((await runCli(['remove', 'vm:103', '--dir', dir])).code, 0);
    assert.equal(read(dir, 'resources.cfg'), original);
  });
});
