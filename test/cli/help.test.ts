import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir, freshDir, inBatches, runCli } from './run-cli.ts';

const COMMANDS = [
  ['status'],
  ['config'],
  ['add'],
  ['set'],
  ['remove'],
  ['migrate'],
  ['relocate'],
  ['groupadd'],
  ['groupset'],
  ['groupremove'],
  ['groupconfig'],
  ['crm-command'],
  ['crm-command', 'migrate'],
  ['crm-command', 'relocate'],
  ['crm-command', 'stop'],
  ['crm-command', 'node-maintenance'],
  ['node'],
  ['node', 'add'],
  ['node', 'remove'],
  ['node', 'list'],
  ['web'],
];

describe('ha-manager help, usage errors and completion', () => {
  it('--help of every command describes it and shows an example', async () => {
    const results = await inBatches(COMMANDS.map((command) => () => runCli([...command, '--help'])), 4);
    results.forEach((result, index) => {
      const command = COMMANDS[index]!.join(' ');
      assert.equal(result.code, 0, command);
      assert.match(result.stdout, new RegExp(`^ha-manager ${command}`), command);
      assert.match(result.stdout, /\nExamples:\n {2}ha-manager /, `${command} has no example`);
    });
  });

  it('the top-level help lists the Proxmox command names', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    for (const command of ['status', 'config', 'add <sid>', 'set <sid>', 'remove <sid>', 'migrate <sid> <node>', 'relocate <sid> <node>', 'groupadd <group>', 'groupset <group>', 'groupremove <group>', 'groupconfig', 'node', 'crm-command', 'simulate', 'completion']) {
      assert.ok(new RegExp(`\n  ha-manager ${command.replace(/[<>]/g, '.')}[ \n]`).test(result.stdout), `missing ${command}`);
    }
    assert.match(result.stdout, /\$HA_MANAGER_STORE or \$HA_MANAGER_DIR,\s+else \/etc\/ha-manager\/store\.cfg, else the directory \/etc\/ha-manager/);
  });

  it('no command, an unknown command or a missing argument is exit 2 with one line', async () => {
    const cases: Array<[string[], string]> = [
      [[], 'ha-manager: Name a command; see --help\n'],
      [['frobnicate'], 'ha-manager: Unknown argument: frobnicate\n'],
      [['crm-command'], 'ha-manager: Name a crm-command: migrate, relocate, stop, node-maintenance, disarm-ha or arm-ha\n'],
      [['migrate', 'vm:100'], 'ha-manager: migrate: missing <node> (usage: ha-manager migrate <sid> <node>)\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = await runCli(args);
      assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 2, stderr }, args.join(' '));
    }
  });

  it('a missing shared directory is exit 2; an error that is not the input is exit 1, each in one line', async () => {
    const missing = await runCli(['status', '--dir', '/nonexistent/ha-manager-test']);
    assert.deepEqual(missing, { code: 2, stdout: '', stderr: "ha-manager: Shared directory '/nonexistent/ha-manager-test' (from --dir) does not exist or is not a directory\n" });
    const fromEnv = await runCli(['config'], { HA_MANAGER_DIR: '/nonexistent/ha-manager-test' });
    assert.equal(fromEnv.stderr, "ha-manager: Shared directory '/nonexistent/ha-manager-test' (from HA_MANAGER_DIR) does not exist or is not a directory\n");
    const dir = clusterDir();
    mkdirSync(join(dir, 'resources.cfg'));
    const unreadable = await runCli(['add', 'vm:100', '--node', 'node1', '--dir', dir]);
    assert.equal(unreadable.code, 1);
    assert.match(unreadable.stderr, /^ha-manager: .*\/resources\.cfg: Cannot read: EISDIR[^\n]*\n$/);
  });

  it('prints a bash completion script, and completes sids, groups and nodes of the shared directory', async () => {
    const script = await runCli(['completion']);
    assert.equal(script.code, 0);
    assert.match(script.stdout, /complete -o bashdefault -o default -F _ha_manager_completions ha-manager/);
    const dir = clusterDir();
    await runCli(['groupadd', 'web', '--nodes', 'node1,node2', '--dir', dir]);
    await runCli(['add', 'vm:100', '--group', 'web', '--dir', dir]);
    const complete = async (...words: string[]) => (await runCli(['--get-yargs-completions', 'ha-manager', ...words], { HA_MANAGER_DIR: dir })).stdout.split('\n').filter(Boolean);
    assert.deepEqual(await complete('set', ''), ['vm:100']);
    assert.deepEqual(await complete('groupremove', 'w'), ['web']);
    assert.deepEqual(await complete('migrate', 'vm:100', ''), ['node1', 'node2', 'node3'], 'the nodes ha.cfg declares');
    assert.deepEqual(await complete('crm-command', 'node-maintenance', ''), ['enable', 'disable']);
    assert.ok((await complete('gr')).includes('groupadd'));
  });
});
