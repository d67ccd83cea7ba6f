import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalEtcdCluster } from '../../src/cluster/etcd-members.ts';
import { enableEtcdAuth, skipWithoutEtcd } from '../contract/etcd-harness.ts';
import { clusterDir, freshDir, inBatches, runCli } from './run-cli.ts';

const NO_CFG = { HA_MANAGER_STORE_CFG: '/nonexistent/store.cfg' };

function storeCfg(text: string): string {
  const file = join(freshDir('ha-select-'), 'store.cfg');
  writeFileSync(file, text);
  return file;
}

describe('selecting the store: --store, --endpoints, HA_MANAGER_STORE, store.cfg', function () {
  this.timeout(300_000);

  it('a bad flag, variable or store.cfg line: exit 2, one line naming it, nothing read or written', async () => {
    const dir = clusterDir();
    const badCfg = (text: string) => ({ HA_MANAGER_STORE_CFG: storeCfg(text) });
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['config', '--store', 'zfs'], NO_CFG, /^ha-manager: --store: 'zfs' is not a store \(dir or etcd\)\n$/],
      [['add', 'vm:100', '--store', 'etcd'], NO_CFG, /^ha-manager: --store etcd needs --endpoints URL\[,URL\.\.\.\] \(or a store file \/nonexistent\/store\.cfg with store: etcd\)\n$/],
      [['status', '--endpoints', 'ftp://10.0.0.1'], NO_CFG, /^ha-manager: --endpoints: 'ftp:\/\/10\.0\.0\.1' is not an etcd endpoint \(http\(s\):\/\/host:port\)\n$/],
      [['config', '--dir', dir, '--store', 'dir', '--endpoints', 'http://10.0.0.1:2379'], NO_CFG, /^ha-manager: --endpoints: only with --store etcd\n$/],
      [['groupconfig'], { ...NO_CFG, HA_MANAGER_STORE: 'zfs:/x' }, /^ha-manager: HA_MANAGER_STORE: 'zfs:\/x' is not a store \(dir, dir:PATH, etcd or etcd:URL\[,URL\.\.\.\]\)\n$/],
      [['config'], badCfg('# ours\nstor: etcd\n'), /^ha-manager: .*store\.cfg:2: unknown key 'stor' \(known: store, dir, endpoints, /],
      [['config'], badCfg('store: etcd\n'), /^ha-manager: .*store\.cfg:1: store: etcd needs an 'endpoints' line\n$/],
      [['config'], badCfg('store: etcd\nendpoints: http://10.0.0.1:2379\nuser: ha\n'), /^ha-manager: .*store\.cfg:3: 'user' and 'password-file' go together\n$/],
      [['store', 'show'], badCfg('store: etcd\nendpoints: http://10.0.0.1:2379,10.0.0.2\n'), /^ha-manager: .*store\.cfg:2: '10\.0\.0\.2' is not an etcd endpoint/],
    ];
    const results = await inBatches(cases.map(([line, env]) => () => runCli(line, env)), 2);
    for (const [index, [line, , stderr]] of cases.entries()) {
      assert.equal(results[index]!.code, 2, `${line.join(' ')}: ${results[index]!.stderr}`);
      assert.match(results[index]!.stderr, stderr, line.join(' '));
      assert.equal(results[index]!.stdout, '', line.join(' '));
    }
  });

  it('HA_MANAGER_STORE=dir:PATH and a store.cfg with store: dir select the directory; store show says from where', async () => {
    const dir = clusterDir();
    const cfg = storeCfg(`store: dir\ndir: ${dir}\n`);
    assert.equal((await runCli(['add', 'vm:100', '--node', 'node1'], { ...NO_CFG, HA_MANAGER_STORE: `dir:${dir}` })).code, 0);
    const config = await runCli(['config', '--output-format', 'json'], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(config.code, 0, config.stderr);
    assert.deepEqual(JSON.parse(config.stdout).map((resource: { sid: string }) => resource.sid), ['vm:100']);
    const show = await runCli(['store', 'show'], { HA_MANAGER_STORE_CFG: cfg });
    assert.equal(show.code, 0, show.stderr);
    assert.equal(show.stdout, `store: dir\nwhere: ${dir}\nfrom: ${cfg}\nanswers: yes\nset up: no ('ha-manager init' once)\n`.replace("no ('", "no (run '"));
    const missing = await runCli(['store', 'show', '--dir', join(dir, 'not-there')], NO_CFG);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /^answers: no \(.*not-there: ENOENT/m);
  });
});

describe('the dir path loads no etcd code (issue 10: status, config, groupconfig within 150 ms)', function () {
  this.timeout(120_000);

  it('a plain status, config and groupconfig on a dir store load neither the etcd client nor http, https or tls (tsx itself loads worker_threads)', () => {
    const dir = clusterDir();
    const program = `
      const { runPlainLine } = await import(${JSON.stringify(pathToFileURL(join(process.cwd(), 'src/cli/plain-lines.ts')).href)});
      for (const command of ['status', 'config', 'groupconfig']) if ((await runPlainLine([command, '--dir', ${JSON.stringify(dir)}])) !== 0) process.exit(3);
      const loaded = process.moduleLoadList.filter((name) => /^NativeModule (http|https|tls)$/.test(name));
      process.stderr.write(JSON.stringify(loaded));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { encoding: 'utf8', env: { ...process.env, ...NO_CFG } });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stderr), []);
    // The same program does load them when the line selects etcd (the check can fail).
    const etcd = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program.replace(`'--dir', ${JSON.stringify(dir)}`, `'--store', 'etcd', '--endpoints', 'http://127.0.0.1:9'`).replace('process.exit(3)', '{}')], {
      encoding: 'utf8',
      env: { ...process.env, ...NO_CFG, HA_MANAGER_STORE: '' },
    });
    assert.match(etcd.stderr, /"NativeModule https"/);
  });
});

describe('store.cfg with TLS and user/password against a real etcd', function () {
  this.timeout(300_000);
  let cluster: LocalEtcdCluster | undefined;
  let certs: { caFile: string; certFile: string; keyFile: string };
  let dir: string;
  before(async function () {
    skipWithoutEtcd(this, 'store.cfg with TLS and auth');
    dir = freshDir('ha-select-tls-');
    certs = makeServerCertificate(dir);
    cluster = await LocalEtcdCluster.start({ tls: certs });
    await enableEtcdAuth(cluster);
  });
  after(async () => cluster?.stop());

  it('ca-file, user and password-file: init, add, config and status work; a wrong password is exit 1 saying so', async () => {
    const password = join(dir, 'password');
    writeFileSync(password, 'ha-secret\n', { mode: 0o600 });
    const lines = (pass: string) => `store: etcd\nendpoints: ${cluster!.endpoints.join(',')}\nprefix: ${cluster!.prefix}\nca-file: ${certs.caFile}\nuser: ha\npassword-file: ${pass}\n`;
    const env = { HA_MANAGER_STORE_CFG: storeCfg(lines(password)) };
    assert.match(cluster!.endpoints[0]!, /^https:/);
    const init = await runCli(['init', '--nodes', 'node1,node2'], env);
    assert.equal(init.code, 0, init.stderr);
    assert.equal((await runCli(['add', 'vm:100', '--node', 'node2'], env)).code, 0);
    const config = await runCli(['config'], env);
    assert.equal(config.stdout, 'vm:100\n\tstate started\n\tnode node2\n\tmax_restart 1\n\tmax_relocate 1\n\tfailback 1\n');
    const show = await runCli(['store', 'show', '--output-format', 'json'], env);
    assert.deepEqual({ ...JSON.parse(show.stdout), where: undefined, from: undefined }, { kind: 'etcd', answers: true, problem: null, setUp: true, tls: true, user: 'ha', driverDir: null, where: undefined, from: undefined });
    assert.doesNotMatch(show.stdout, /ha-secret/);

    const wrong = join(dir, 'wrong');
    writeFileSync(wrong, 'guess\n');
    const refused = await runCli(['status'], { HA_MANAGER_STORE_CFG: storeCfg(lines(wrong)) });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^ha-manager: etcd https:.* \(from .*store\.cfg\): the store does not answer: .*authentication as 'ha' failed.*\n$/);
    assert.doesNotMatch(refused.stderr, /guess|ha-secret/);
  });
});

/** A CA and a server certificate for 127.0.0.1, made with openssl (as test/store/etcd/etcd-tls-auth.test.ts does). */
function makeServerCertificate(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=ha-test-ca');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl('req', ...key, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=ha-server');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}
