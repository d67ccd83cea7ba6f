import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EtcdConnectionOptions } from '../../../src/store/etcd/etcd-gateway.ts';
import { EtcdKeys } from '../../../src/store/etcd/etcd-keys.ts';
import { EtcdLeaseStore } from '../../../src/store/etcd/etcd-lease-store.ts';
import { EtcdSyncClient } from '../../../src/store/etcd/etcd-sync-client.ts';
import { MANAGER_LEASE } from '../../../src/store/lease-store.ts';
import { LocalEtcdCluster } from '../../../src/cluster/etcd-members.ts';
import { enableEtcdAuth, skipWithoutEtcd } from '../../contract/etcd-harness.ts';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl for this run. */
function makeCertificates(dir: string): { caFile: string; server: { certFile: string; keyFile: string }; client: { certFile: string; keyFile: string } } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=ha-test-ca');
  for (const [name, usage] of [['server', 'serverAuth,clientAuth'], ['client', 'clientAuth']] as const) {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=IP:127.0.0.1\nextendedKeyUsage=${usage}\n`);
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=ha-${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  }
  const files = (name: string) => ({ certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) });
  return { caFile: join(dir, 'ca.crt'), server: files('server'), client: files('client') };
}

/**
 * Two clusters: etcd 3.4 refuses a password login through its JSON gateway from a client that presents
 * a certificate while --client-cert-auth is on ("CommonName of client sending a request against
 * gateway will be ignored and not used as expected", 400), so client certificates and user/password
 * are each tested on a cluster of their own, both over TLS.
 */
describe('etcd store over TLS: client certificates, and user/password auth (real 3-member etcd)', function () {
  let dir: string;
  let certificates: ReturnType<typeof makeCertificates>;
  const clusters: LocalEtcdCluster[] = [];
  const clients: EtcdSyncClient[] = [];
  before(function () {
    skipWithoutEtcd(this, 'the etcd TLS and auth cases');
    dir = mkdtempSync(join(tmpdir(), 'ha-etcd-tls-'));
    certificates = makeCertificates(dir);
  });
  after(async () => {
    for (const client of clients) client.close();
    for (const cluster of clusters) await cluster.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function storeOn(cluster: LocalEtcdCluster, options: Partial<EtcdConnectionOptions>, extra: { node?: string; prefix?: string; problems?: string[] } = {}): EtcdLeaseStore {
    const client = new EtcdSyncClient({ endpoints: cluster.endpoints, ...options });
    clients.push(client);
    const keys = new EtcdKeys(extra.prefix ?? cluster.prefix);
    return new EtcdLeaseStore({ client, keys, node: extra.node ?? 'a', leaseTimeoutMs: 10_000, onProblem: (problem) => extra.problems?.push(problem) });
  }

  describe('client certificates required (--client-cert-auth)', () => {
    let cluster: LocalEtcdCluster;
    before(async () => {
      cluster = await LocalEtcdCluster.start({ tls: { caFile: certificates.caFile, ...certificates.server }, clientCertAuth: true });
      clusters.push(cluster);
    });

    it('with the CA and a client certificate: takes and renews', () => {
      const store = storeOn(cluster, { tls: { caFile: certificates.caFile, ...certificates.client } });
      assert.equal(store.acquire(MANAGER_LEASE, 0), 'taken');
      assert.equal(store.acquire(MANAGER_LEASE, 1), 'renewed');
    });

    it('without a client certificate the server refuses the connection: unavailable', () => {
      const problems: string[] = [];
      assert.equal(storeOn(cluster, { tls: { caFile: certificates.caFile } }, { problems }).inspect(MANAGER_LEASE, 0), 'unavailable');
      assert.match(problems.join('\n'), /certificate|socket hang up|ECONNRESET/i);
    });
  });

  describe('user/password auth over TLS', () => {
    let cluster: LocalEtcdCluster;
    before(async () => {
      cluster = await LocalEtcdCluster.start({ tls: { caFile: certificates.caFile, ...certificates.server } });
      clusters.push(cluster);
      await enableEtcdAuth(cluster);
    });
    const tls = () => ({ caFile: certificates.caFile });

    it('as the user: takes and renews', () => {
      const store = storeOn(cluster, { tls: tls(), auth: { user: 'ha', password: 'ha-secret' } });
      assert.equal(store.acquire(MANAGER_LEASE, 0), 'taken');
      assert.equal(store.acquire(MANAGER_LEASE, 1), 'renewed');
    });

    it('a wrong password is unavailable, saying authentication failed', () => {
      const problems: string[] = [];
      assert.equal(storeOn(cluster, { tls: tls(), auth: { user: 'ha', password: 'wrong' } }, { node: 'b', problems }).acquire(MANAGER_LEASE, 0), 'unavailable');
      assert.match(problems.join('\n'), /authentication as 'ha' failed/);
    });

    it('without credentials, or outside the prefix of the user: unavailable (permission denied), not a throw', () => {
      const problems: string[] = [];
      assert.equal(storeOn(cluster, { tls: tls() }, { problems }).inspect(MANAGER_LEASE, 0), 'unavailable');
      assert.equal(storeOn(cluster, { tls: tls(), auth: { user: 'ha', password: 'ha-secret' } }, { prefix: '/elsewhere/', problems }).acquire(MANAGER_LEASE, 0), 'unavailable');
      assert.match(problems.join('\n'), /permission denied/);
    });
  });
});
