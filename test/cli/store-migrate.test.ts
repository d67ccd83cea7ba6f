import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalEtcdCluster } from '../../src/cluster/etcd-members.ts';
import { lrmStatusToJson, parseLrmStatusJson } from '../../src/common/lrm-status-json.ts';
import { managerStatusToJson, parseManagerStatusJson } from '../../src/common/manager-status-json.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';
import { freshDir, runCli } from './run-cli.ts';

function write(dir: string, name: string, content: unknown): void {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
}

const CONFIG = {
  'ha.cfg': '# settings\nnode: node1\n\nnode: node2\n\nnode: node3\n\n',
  'resources.cfg': 'vm: 100\n\tnode node1\n\tgroup all\n\nct: 200\n\tnode node2\n\tstate stopped\n\tcomment über\n\n',
  'groups.cfg': 'group: all\n\tnodes node1,node2,node3\n\n',
  'fence.cfg': 'device ipmi fence_ipmilan ip=10.0.0.1 password=s3cret\nconnect ipmi node=node1\n',
};

/**
 * A shared directory of a cluster seen at `nowMs`: config, the manager status (`disarm` when given),
 * two LRM statuses, a fenced record, a queued request, and a manager lease renewed `leaseAgeMs` ago.
 */
function clusterDir(nowMs: number, options: { leaseAgeMs: number; disarm?: { mode: string; state: string } }): string {
  const dir = freshDir('ha-migrate-src-');
  for (const [file, text] of Object.entries(CONFIG)) write(dir, file, text);
  for (const sub of ['leases', 'status/lrm', 'status/fenced', 'commands']) mkdirSync(join(dir, sub), { recursive: true });
  write(dir, 'status/manager.json', {
    master_node: 'node1',
    node_status: { node1: 'online', node2: 'online', node3: 'fence' },
    service_status: { 'vm:100': { state: 'started', node: 'node1', uid: 'a1', running: 1 }, 'ct:200': { state: 'stopped', node: 'node2', uid: 'b2' } },
    timestamp: nowMs - 1000,
    ...(options.disarm ? { disarm: options.disarm } : {}),
  });
  write(dir, 'status/lrm/node1.json', { state: 'active', mode: 'active', results: {}, timestamp: nowMs - 2000 });
  write(dir, 'status/lrm/node2.json', { state: 'wait_for_agent_lock', mode: 'active', results: {}, timestamp: nowMs - 2000 });
  write(dir, 'status/fenced/node3.json', { node: 'node3', reason: 'Agent lease not renewed for 65000 ms: store unavailable (EIO)', wallMs: nowMs - 3_600_000 });
  write(dir, `commands/${String(nowMs - 5000).padStart(15, '0')}-0000.node1.1.cmd`, 'migrate vm:100 node2\n');
  write(dir, 'leases/manager.4/holder', { node: 'node1', takenWallMs: nowMs - 100_000 });
  write(dir, 'leases/manager.4/heartbeat', { counter: 9, node: 'node1', wallMs: nowMs - options.leaseAgeMs });
  return dir;
}

/** The status files as the status port reads them (a copy is written in the canonical form: `node_request: {}` and the like). */
function statusFiles(dir: string): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  const canonical = { status: (json: unknown, file: string) => managerStatusToJson(parseManagerStatusJson(json, file)), 'status/lrm': (json: unknown, file: string) => lrmStatusToJson(parseLrmStatusJson(json, file)), 'status/fenced': (json: unknown) => json };
  for (const [sub, parse] of Object.entries(canonical)) {
    for (const name of readdirSync(join(dir, sub)).filter((entry) => entry.endsWith('.json'))) files[`${sub}/${name}`] = parse(JSON.parse(readFileSync(join(dir, sub, name), 'utf8')), name);
  }
  return files;
}

function commandLines(dir: string): string[] {
  return readdirSync(join(dir, 'commands'))
    .filter((name) => name.endsWith('.cmd'))
    .sort()
    .map((name) => readFileSync(join(dir, 'commands', name), 'utf8'));
}

describe('ha-manager store migrate (real 3-member etcd)', function () {
  this.timeout(300_000);
  let cluster: LocalEtcdCluster | undefined;
  let runs = 0;
  before(async function () {
    skipWithoutEtcd(this, 'store migrate on etcd');
    cluster = await LocalEtcdCluster.start();
  });
  after(async () => cluster?.stop());

  /** A store file selecting a fresh prefix of the test cluster. */
  function etcdCfg(): { cfg: string; prefix: string } {
    const prefix = `${cluster!.prefix}migrate${runs++}/`;
    const cfg = join(freshDir('ha-migrate-cfg-'), 'store.cfg');
    writeFileSync(cfg, `store: etcd\nendpoints: ${cluster!.endpoints.join(',')}\nprefix: ${prefix}\n`);
    return { cfg, prefix };
  }

  it('dir → etcd → dir: config byte for byte, status, fenced records and requests; leases not copied; says what to do next', async () => {
    const source = clusterDir(Date.now(), { leaseAgeMs: 120_000 });
    const { cfg, prefix } = etcdCfg();
    const toEtcd = await runCli(['store', 'migrate', '--to', 'etcd', '--dir', source], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(toEtcd.code, 0, toEtcd.stderr);
    assert.match(toEtcd.stdout, /^source .*: the cluster is stopped \(no lease renewed within fence_timeout, 60 s\)$/m);
    assert.match(toEtcd.stdout, /^copied 4 config file\(s\), \d+ bytes: resources\.cfg, groups\.cfg, fence\.cfg, ha\.cfg$/m);
    assert.match(toEtcd.stdout, /^copied the status, \d+ bytes: the manager status, 2 LRM status\(es\) \(node1, node2\), 1 fenced record\(s\); 1 queued request\(s\)$/m);
    assert.match(toEtcd.stdout, new RegExp(`^wrote 10 keys to etcd .* ${prefix} \\(with the set-up marker\\)`, 'm'));
    assert.match(toEtcd.stdout, /^verified: read everything back from etcd /m);
    assert.match(toEtcd.stdout, new RegExp(`^next: on every node, point /etc/ha-manager/store.cfg at the new store \\('store: etcd', 'endpoints: [^']+', 'prefix: ${prefix}'`, 'm'));
    // The cluster on etcd answers as the directory did.
    const [statusDir, statusEtcd] = await Promise.all([runCli(['status', '--dir', source]), runCli(['status'], { HA_MANAGER_STORE_CFG: cfg })]);
    assert.equal(statusEtcd.code, 0, statusEtcd.stderr);
    const withoutLeases = (text: string) => text.replace(/^(?:quorum|master) .*\n/gm, '').replace(/\b\d+(?:s|m\d\ds|h\d\dm) ago/g, '');
    assert.equal(withoutLeases(statusEtcd.stdout), withoutLeases(statusDir.stdout));

    const target = freshDir('ha-migrate-dst-');
    const toDir = await runCli(['store', 'migrate', '--to', 'dir', '--dir', target], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(toDir.code, 0, toDir.stderr);
    assert.match(toDir.stdout, new RegExp(`^wrote 10 files to ${target} `, 'm'));
    for (const [file, text] of Object.entries(CONFIG)) assert.equal(readFileSync(join(target, file), 'utf8'), text, file);
    assert.deepEqual(statusFiles(target), statusFiles(source));
    assert.deepEqual(commandLines(target), commandLines(source));
    assert.deepEqual(readdirSync(join(target, 'leases')), []);
    assert.equal((await runCli(['status', '--dir', target])).code, 0);
  });

  it('refuses a running cluster, naming the lease; a disarmed one is copied', async () => {
    const running = clusterDir(Date.now(), { leaseAgeMs: 3000 });
    const { cfg, prefix } = etcdCfg();
    const refused = await runCli(['store', 'migrate', '--to', 'etcd', '--dir', running], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^ha-manager: .*: the cluster is running: manager held by node1 \(renewed \d+s ago\)\. Disarm it first \('ha-manager crm-command disarm-ha freeze'.*\n$/);
    const disarming = clusterDir(Date.now(), { leaseAgeMs: 3000, disarm: { mode: 'freeze', state: 'disarming' } });
    assert.match((await runCli(['store', 'migrate', '--to', 'etcd', '--dir', disarming], { HA_MANAGER_STORE_CFG: cfg })).stderr, /the disarm \(freeze\) is still disarming/);
    assert.equal((await runCli(['store', 'show'], { HA_MANAGER_STORE_CFG: cfg })).stdout.includes('set up: no'), true, 'a refusal writes nothing');

    const disarmed = clusterDir(Date.now(), { leaseAgeMs: 3000, disarm: { mode: 'freeze', state: 'disarmed' } });
    const copied = await runCli(['store', 'migrate', '--to', 'etcd', '--dir', disarmed], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(copied.code, 0, copied.stderr);
    assert.match(copied.stdout, /: the HA stack is disarmed \(mode freeze\)$/m);
    assert.match(copied.stdout, /^then 'ha-manager crm-command arm-ha': the copy is disarmed as the source was$/m);
    const status = await runCli(['status', '--verbose'], { HA_MANAGER_STORE_CFG: cfg });
    assert.match(status.stdout, /^HA stack disarmed \(mode freeze: /m);

    // The target is set up now: a second migration into it is refused, and so is one into a directory that is in use.
    const again = await runCli(['store', 'migrate', '--to', 'etcd', '--dir', disarmed], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`${prefix}: a cluster is set up there already: migrate only into a new store`));
    const used = freshDir('ha-migrate-used-');
    writeFileSync(join(used, 'resources.cfg'), '');
    const intoUsed = await runCli(['store', 'migrate', '--to', 'dir', '--dir', used], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(intoUsed.code, 1);
    assert.match(intoUsed.stderr, new RegExp(`${used}: holds ${used}/resources\\.cfg already: migrate only into an empty store`));
  });

  it('refuses bad usage with exit 2: --to dir without --dir, the same store twice', async () => {
    const { cfg } = etcdCfg();
    const noDir = await runCli(['store', 'migrate', '--to', 'dir'], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /--to dir needs --dir PATH/);
    const same = await runCli(['store', 'migrate', '--to', 'etcd', '--store', 'etcd'], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(same.code, 2);
    assert.match(same.stderr, /the source and the new store are the same/);
  });
});
