import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalEtcdCluster } from '../../src/cluster/etcd-members.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';
import { freshDir, runCli, type CliResult } from './run-cli.ts';

/**
 * One table of command lines, run against a dir store and against a real 3-member etcd: every command
 * gives the same exit status, stdout and stderr once the store's names are normalised (a path or
 * `etcd:<prefix>config/<file>` → `<store>:<file>`; an age → `<age>`). The stores are selected the way an operator does:
 * HA_MANAGER_STORE=dir:PATH, and a store file (HA_MANAGER_STORE_CFG) with `store: etcd`.
 */
const TABLE: readonly (readonly string[])[] = [
  ['add', 'vm:100', '--node', 'node1'],
  ['add', 'vm:101', '--node', 'node2', '--state', 'stopped'],
  ['add', 'vm:100'],
  ['add', 'vm:102', '--node', 'node9'],
  ['groupadd', 'web', '--nodes', 'node1:2,node2', '--restricted', '1'],
  ['set', 'vm:101', '--group', 'web'],
  ['set', 'vm:100', '--group', 'web', '--node', 'node3'],
  ['set', 'vm:999', '--state', 'stopped'],
  ['config'],
  ['config', '--output-format', 'json'],
  ['groupconfig'],
  ['groupremove', 'web'],
  ['rules', 'add', 'node-affinity', 'on-1', '--resources', 'vm:100', '--nodes', 'node1'],
  ['rules', 'add', 'resource-affinity', 'apart', '--resources', 'vm:100,vm:404', '--affinity', 'negative'],
  ['rules', 'list'],
  ['rules', 'config'],
  ['node', 'add', 'node4', '--cpus', '4', '--memory', '2048'],
  ['node', 'list'],
  ['node', 'remove', 'node4'],
  ['migrate', 'vm:100', 'node2'],
  ['relocate', 'vm:100', 'node9'],
  ['crm-command', 'stop', 'vm:101', '30'],
  ['crm-command', 'node-maintenance', 'enable', 'node3'],
  ['crm-command', 'disarm-ha', 'freeze'],
  ['fence-ack', 'node3', '--by', 'alice'],
  ['fence', 'device', 'add', 'ipmi', '--agent', 'fence_ipmilan', '--option', 'ip=10.0.0.1', '--option', 'password=s3cret'],
  ['fence', 'connect', 'ipmi', 'node1'],
  ['fence', 'connect', 'ipmi', 'node7'],
  ['fence', 'config'],
  ['fence', 'plan', 'node1'],
  ['status'],
  ['remove', 'vm:101'],
  ['config'],
];

interface Store {
  readonly env: Record<string, string>;
  readonly names: ReadonlyArray<readonly [string, string]>;
}

function normalise(store: Store, result: CliResult): { code: number; stdout: string; stderr: string } {
  // Ages depend on when each side ran its line, not on the store.
  const clean = (text: string) => store.names.reduce((done, [from, to]) => done.split(from).join(to), text).replace(/\b\d+(?:s|m\d\ds|h\d\dm) ago/g, '<age> ago');
  return { code: result.code, stdout: clean(result.stdout), stderr: clean(result.stderr) };
}

async function runTable(store: Store): Promise<Array<{ line: string; code: number; stdout: string; stderr: string }>> {
  const results = [];
  for (const line of TABLE) results.push({ line: line.join(' '), ...normalise(store, await runCli(line, store.env)) });
  return results;
}

describe('every command on a dir store and on etcd alike (real 3-member etcd)', function () {
  this.timeout(600_000);
  let cluster: LocalEtcdCluster | undefined;
  before(async function () {
    skipWithoutEtcd(this, 'the command table on etcd');
    cluster = await LocalEtcdCluster.start();
  });
  after(async () => cluster?.stop());

  it('init, then the table: the same exit status, output and errors on both stores', async () => {
    const dir = freshDir('ha-table-');
    const prefix = `${cluster!.prefix}table/`;
    const cfg = join(freshDir('ha-table-cfg-'), 'store.cfg');
    writeFileSync(cfg, `# the etcd side of the table\nstore: etcd\nendpoints: ${cluster!.endpoints.join(',')}\nprefix: ${prefix}\n`);
    const dirStore: Store = { env: { HA_MANAGER_STORE: `dir:${dir}`, HA_MANAGER_STORE_CFG: '/nonexistent/store.cfg' }, names: [[`${dir}/`, '<store>:'], [dir, '<store>']] };
    const where = `etcd ${cluster!.endpoints.join(',')} ${prefix}`;
    const etcdStore: Store = { env: { HA_MANAGER_STORE_CFG: cfg }, names: [[`etcd:${prefix}config/`, '<store>:'], [where, '<store>']] };
    for (const store of [dirStore, etcdStore]) {
      const init = await runCli(['init', '--nodes', 'node1,node2,node3'], store.env);
      assert.equal(init.code, 0, init.stderr);
      assert.match(normalise(store, init).stdout, /^<store> is ready: /m);
    }
    const [onDir, onEtcd] = await Promise.all([runTable(dirStore), runTable(etcdStore)]);
    for (const [index, expected] of onDir.entries()) assert.deepEqual(onEtcd[index], expected, `ha-manager ${expected.line}`);
    // The table must be able to fail: it holds refusals (exit 2) and successes, and the etcd side reads etcd.
    assert.deepEqual([...new Set(onDir.map((result) => result.code))].sort(), [0, 2]);
    assert.ok(onEtcd.every((result) => !result.stdout.includes(dir) && !result.stderr.includes(dir)));
    const config = onEtcd.find((result) => result.line === 'config --output-format json')!;
    assert.deepEqual(JSON.parse(config.stdout).map((resource: { sid: string }) => resource.sid), ['vm:100', 'vm:101']);
    assert.match(onEtcd.find((result) => result.line === 'add vm:100')!.stderr, /<store>:resources\.cfg/);
  });

  it('init on etcd: the marker and a commented ha.cfg; run again it keeps them and declares the nodes it lacks; an etcd that does not answer is exit 1', async () => {
    const prefix = `${cluster!.prefix}init/`;
    const cfg = join(freshDir('ha-table-cfg-'), 'store.cfg');
    writeFileSync(cfg, `store: etcd\nendpoints: ${cluster!.endpoints.join(',')}\nprefix: ${prefix}\n`);
    const where = `etcd ${cluster!.endpoints.join(',')} ${prefix}`;
    const first = await runCli(['init'], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.split('\n')[0], `set up ${where}`);
    assert.match(first.stdout, new RegExp(`^wrote etcd:${prefix}config/ha\\.cfg with the defaults \\(fence_timeout 60 s\\), each setting commented$`, 'm'));
    const again = await runCli(['init', '--nodes', 'node1,node2'], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.stdout.split('\n').slice(0, 2), [`${where} was set up already: kept`, `kept etcd:${prefix}config/ha.cfg, declared the nodes node1, node2 in it`]);
    const nodes = await runCli(['node', 'list', '--output-format', 'json'], { HA_MANAGER_STORE_CFG: cfg });
    assert.deepEqual(JSON.parse(nodes.stdout).map((node: { node: string }) => node.node), ['node1', 'node2']);
    const dead = await runCli(['init', '--store', 'etcd', '--endpoints', 'http://127.0.0.1:9'], { HA_MANAGER_STORE_CFG: '/nonexistent/store.cfg' });
    assert.equal(dead.code, 1);
    assert.equal(dead.stdout, '');
    assert.match(dead.stderr, /^ha-manager: etcd http:\/\/127\.0\.0\.1:9 \/ha-manager\/: the store does not answer, nothing set up: .+\n$/);
  });

  it('a store that does not answer: exit 1, one line naming it, nothing written', async () => {
    const cfg = join(freshDir('ha-table-cfg-'), 'store.cfg');
    writeFileSync(cfg, `store: etcd\nendpoints: http://127.0.0.1:9\ncall-timeout-ms: 300\n`);
    for (const line of [['status'], ['config'], ['add', 'vm:100'], ['migrate', 'vm:100', 'node2']]) {
      const result = await runCli(line, { HA_MANAGER_STORE_CFG: cfg });
      assert.equal(result.code, 1, `${line.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^ha-manager: etcd http:\/\/127\.0\.0\.1:9 \/ha-manager\/ \(from .*store\.cfg\): the store does not answer: .+\n$/);
    }
  });

  it('a prefix that init never set up: exit 1, saying to run init', async () => {
    const result = await runCli(['config', '--store', 'etcd', '--endpoints', cluster!.endpoints.join(',')], { HA_MANAGER_STORE_CFG: '/nonexistent/store.cfg' });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /no cluster is set up under this prefix: run 'ha-manager init --store etcd/);
  });
});
