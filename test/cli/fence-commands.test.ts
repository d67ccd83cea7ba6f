import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterDir, inBatches, runCli, type CliResult } from './run-cli.ts';

const SECRET = 'TOPSECRET-4711';
const read = (dir: string) => readFileSync(join(dir, 'fence.cfg'), 'utf8');
const modeOf = (dir: string) => statSync(join(dir, 'fence.cfg')).mode & 0o777;

/** A PATH with a fake agent `fence_fake` (knows zone, secret_key, plug) in front of the real ones. */
function pathWithFakeAgent(): string {
  const bin = mkdtempSync(join(tmpdir(), 'fence-bin-'));
  writeFileSync(
    join(bin, 'fence_fake'),
    `#!/bin/sh\ncat <<'EOF'\n<resource-agent name="fence_fake"><parameters>\n<parameter name="zone"/><parameter name="secret_key"/><parameter name="plug"/>\n</parameters></resource-agent>\nEOF\n`,
  );
  chmodSync(join(bin, 'fence_fake'), 0o755);
  return `${bin}:${process.env.PATH}`;
}

async function cli(dir: string, args: readonly string[]): Promise<CliResult> {
  return runCli(['fence', ...args, '--dir', dir], { PATH: pathWithFakeAgent() });
}

async function ok(dir: string, args: readonly string[]): Promise<CliResult> {
  const result = await cli(dir, args);
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return result;
}

describe('ha-manager fence commands', () => {
  it('builds fence.cfg with device, connect, node and proxy; config and plan show it with secrets masked', async () => {
    const dir = clusterDir();
    await ok(dir, ['device', 'add', 'ipmi', '--agent', 'fence_ipmilan', '--option', 'ip=10.0.0.1', '--option', `password=${SECRET}`, '--option', 'lanplus', '--option', 'timeout=30']);
    await ok(dir, ['device', 'add', 'pdu:1', '--agent', 'fence_fake', '--option', `secret_key=${SECRET}`]);
    await ok(dir, ['device', 'add', 'pdu:2', '--agent', 'fence_fake', '--option', 'zone=b c']);
    await ok(dir, ['connect', 'ipmi', 'node1', '--option', 'ipport=623']);
    await ok(dir, ['connect', 'add', 'pdu:1', 'node1', '--option', 'plug=3']);
    await ok(dir, ['connect', 'pdu:2', 'node1', '--option', 'plug=3']);
    await ok(dir, ['connect', 'set', 'ipmi', 'node1', '--option', 'ipport=624']);
    await ok(dir, ['node', 'node1', '--watchdog', 'none', '--soft-check', 'ssh node1 true', '--soft-fence', 'ssh node1 systemctl restart ha-lrm', '--soft-grace', '60']);
    await ok(dir, ['proxy', 'node3', 'node2']);
    assert.equal(modeOf(dir), 0o600);
    assert.equal(
      read(dir),
      `device ipmi fence_ipmilan ip=10.0.0.1 password=${SECRET} lanplus timeout=30\nconnect ipmi node=node1 ipport=624\n` +
        `device pdu:1 fence_fake secret_key=${SECRET}\nconnect pdu:1 node=node1 plug=3\ndevice pdu:2 fence_fake zone="b c"\nconnect pdu:2 node=node1 plug=3\n` +
        'node node1 watchdog=none soft_check="ssh node1 true" soft_fence="ssh node1 systemctl restart ha-lrm" soft_grace=60\nproxy node3 node2\n',
    );
    const [config, configJson, plan, planJson] = await inBatches(
      [['config'], ['config', '--output-format', 'json-pretty'], ['plan'], ['plan', 'node1', '--output-format', 'json']].map((args) => () => ok(dir, args)),
      2,
    );
    assert.equal(config!.stdout, read(dir).replaceAll(SECRET, '***'));
    assert.deepEqual(JSON.parse(configJson!.stdout).devices[0], { id: 'ipmi', level: 'ipmi', agent: 'fence_ipmilan', options: { ip: '10.0.0.1', password: '***', lanplus: '', timeout: '30' } });
    assert.match(plan!.stdout, /^Proxy \(runs a fence\): node3, node2, then any other online node, never the node being fenced\n\nnode1: watchdog none/);
    assert.match(plan!.stdout, /\n {2}level 2: pdu, all 2 must succeed\n {4}pdu:1 {2}fence_fake {2}timeout 60 s {2}secret_key=\*\*\* plug=3\n/);
    assert.match(plan!.stdout, /\nnode2: watchdog default\n {2}no fence level: fenced by its watchdog alone\n/);
    const node1 = JSON.parse(planJson!.stdout).nodes[0];
    assert.deepEqual(
      node1.levels.map((level: { level: string; devices: Array<{ id: string; timeout_s: number }> }) => [level.level, level.devices.map((device) => [device.id, device.timeout_s])]),
      [
        ['ipmi', [['ipmi', 30]]],
        ['pdu', [['pdu:1', 60], ['pdu:2', 60]]],
      ],
    );
    for (const result of [config, configJson, plan, planJson]) assert.ok(!`${result!.stdout}${result!.stderr}`.includes(SECRET));
  });

  it('refuses bad input with exit 2 and one line naming the problem, the file unchanged, no secret in any message', async () => {
    const dir = clusterDir();
    const start = `# hand written\ndevice pdu fence_fake secret_key=${SECRET}\nconnect pdu node=node1 plug=1\n`;
    writeFileSync(join(dir, 'fence.cfg'), start, { mode: 0o600 });
    const cases: Array<[string[], RegExp]> = [
      [['device', 'add', 'ipmi', '--agent', 'fence_ipmilan', '--option', `pasword=${SECRET}`], /^ha-manager: fence_ipmilan does not know the option 'pasword' \(closest: password, passwd, port\); 'fence_ipmilan -o metadata' lists what it reads\n$/],
      [['device', 'add', 'pdu', '--agent', 'fence_fake'], /^ha-manager: Device 'pdu' exists \(.*fence\.cfg line 2\); change it with 'ha-manager fence device set pdu'\n$/],
      [['device', 'set', 'pdu', '--option', `secret_key=${SECRET}\nzone=a`], /^ha-manager: --option secret_key: control characters \(a newline\) are not allowed in a value\n$/],
      [['device', 'set', 'pdu', '--option', `action=${SECRET}`], /^ha-manager: --option action: Option 'action' is set by the fence runner/],
      [['device', 'remove', 'pdu'], /^ha-manager: Device 'pdu' is connected to node1: remove those connects first/],
      [['connect', 'pdu', 'node9'], /^ha-manager: Unknown node 'node9': ha\.cfg declares node1, node2, node3; a new node is declared with 'ha-manager node add node9'\n$/],
      [['connect', 'pdu', 'node2', '--option', 'node=node3'], /^ha-manager: --option node: give the node as the positional argument\n$/],
      [['connect', 'nope', 'node2'], /^ha-manager: No fence device 'nope' in .*fence\.cfg \(devices: pdu\)\n$/],
      [['connect', 'pdu'], /^ha-manager: Expected fence connect \[add\|set\|remove\] <id> <node>\n$/],
      [['connect', 'move', 'pdu', 'node2'], /^ha-manager: Expected fence connect \[add\|set\|remove\] <id> <node>\n$/],
      [['node', 'node2', '--watchdog', 'none'], /^ha-manager: Change refused, .*fence\.cfg would not load: Node node2 has watchdog=none but no complete fence level/],
      [['node', 'node1', '--soft-check', 'true'], /^ha-manager: Node node1: soft_check and soft_fence come together/],
      [['proxy', 'node1', 'node7'], /^ha-manager: Unknown node 'node7'/],
      [['plan', 'node8'], /^ha-manager: Unknown node 'node8'/],
    ];
    const results = await inBatches(cases.map(([args]) => () => cli(dir, args)), 2);
    results.forEach((result, index) => {
      const [args, pattern] = cases[index]!;
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern, args.join(' '));
      assert.equal(result.stdout, '');
      assert.ok(!result.stderr.includes(SECRET), args.join(' '));
    });
    assert.equal(read(dir), start);
  });

  it('accepts an agent that is not installed with a warning; removes a connected device with --force; add then remove restores the file', async () => {
    const dir = clusterDir();
    const start = '# ours\ndevice pdu fence_fake zone=a\nconnect pdu node=node1\n';
    writeFileSync(join(dir, 'fence.cfg'), start, { mode: 0o600 });
    const added = await ok(dir, ['device', 'add', 'virt', '--agent', 'fence_not_here', '--option', 'anything=1']);
    assert.equal(added.stderr, 'ha-manager: warning: fence_not_here is not installed on this node (not found on PATH): options not checked against its metadata\n');
    await ok(dir, ['connect', 'virt', 'node2']);
    await ok(dir, ['device', 'remove', 'virt', '--force']);
    assert.equal(read(dir), start);
    await ok(dir, ['device', 'set', 'pdu', '--agent', 'fence_dummy', '--delete', 'zone']);
    assert.equal(read(dir), '# ours\ndevice pdu fence_dummy\nconnect pdu node=node1\n');
    await ok(dir, ['connect', 'remove', 'pdu', 'node1']);
    await ok(dir, ['device', 'remove', 'pdu']);
    assert.equal(read(dir), '# ours\n');
  });

  it('warns when fence.cfg is readable by others, and an edit writes it back with mode 0600', async () => {
    const dir = clusterDir();
    writeFileSync(join(dir, 'fence.cfg'), 'device pdu fence_fake\n');
    chmodSync(join(dir, 'fence.cfg'), 0o644);
    const shown = await ok(dir, ['config']);
    assert.equal(shown.stderr, `ha-manager: warning: ${join(dir, 'fence.cfg')} has mode 0644: it holds fence passwords, only its owner should read it: chmod 600 ${join(dir, 'fence.cfg')}\n`);
    const edited = await ok(dir, ['proxy', 'node2']);
    assert.match(edited.stderr, /^ha-manager: note: .*fence\.cfg had mode 0644 and is now 0600: passwords in it may have been read/);
    assert.equal(modeOf(dir), 0o600);
    assert.equal((await ok(dir, ['config'])).stderr, '');
  });
});
