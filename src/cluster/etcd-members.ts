import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdGateway } from '../store/etcd/etcd-gateway.ts';

/**
 * A real etcd cluster on this host (tests, `demo --store etcd`, the benchmarks): `size` members on free loopback ports, each with its own data dir
 * under one scratch directory, and a key prefix of its own. `start` waits until every member says it is
 * healthy; `stop` kills them and removes the directory; a process that exits with members running
 * kills them too (a failing test never leaves an etcd behind).
 *
 * Optional: TLS (server certificate, client certificates required) and user/password auth.
 */
export interface EtcdClusterOptions {
  readonly size?: number;
  readonly tls?: { readonly caFile: string; readonly certFile: string; readonly keyFile: string };
  readonly clientCertAuth?: boolean;
  /** Credentials the harness itself uses once auth is enabled (after start, by the test). */
  auth?: { readonly user: string; readonly password: string };
  /**
   * Where the members' data dirs and logs go (created; removed by `stop`); default a fresh folder under
   * the system's temporary directory. A local cluster puts them in its own folder, so its check for
   * processes left behind (any argument inside the folder) sees a member too.
   */
  readonly root?: string;
}

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  process: ChildProcess | undefined;
}

/** A member that is not healthy this long after start is broken (a loaded machine takes 1–3 s). */
const HEALTHY_MS_MAX = 30_000;
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Whether the etcd binary is installed (Debian's etcd-server). */
export function isEtcdInstalled(): boolean {
  return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<import('node:net').Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

let clusterCounter = 0;

export class LocalEtcdCluster {
  readonly members: EtcdMember[] = [];
  readonly root: string;
  /** Keys of this run start with this: a reused cluster never sees another test's keys. */
  readonly prefix: string;
  private readonly scheme: 'http' | 'https';

  private constructor(readonly options: EtcdClusterOptions, ports: number[]) {
    this.root = options.root ?? mkdtempSync(join(tmpdir(), 'ha-etcd-'));
    mkdirSync(this.root, { recursive: true });
    this.prefix = `/ha-test-${process.pid}-${clusterCounter++}/`;
    this.scheme = options.tls ? 'https' : 'http';
    const size = options.size ?? 3;
    for (let index = 0; index < size; index++) {
      this.members.push({
        name: `m${index}`,
        clientUrl: `${this.scheme}://127.0.0.1:${ports[2 * index]}`,
        peerUrl: `http://127.0.0.1:${ports[2 * index + 1]}`,
        dataDir: join(this.root, `m${index}`),
        process: undefined,
      });
    }
  }

  static async start(options: EtcdClusterOptions = {}): Promise<LocalEtcdCluster> {
    const cluster = new LocalEtcdCluster(options, await freePorts(2 * (options.size ?? 3)));
    for (const member of cluster.members) cluster.launch(member, 'new');
    await cluster.waitHealthy(cluster.members);
    return cluster;
  }

  get endpoints(): string[] {
    return this.members.map((member) => member.clientUrl);
  }

  /** Kills a member (SIGKILL) and waits until its process is gone. */
  async kill(member: EtcdMember): Promise<void> {
    const child = member.process;
    if (!child) return;
    member.process = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    }
    running.delete(child);
  }

  /** Starts a killed member again with its data; resolves when it is healthy (unless told not to wait: it may have no majority). */
  async restart(member: EtcdMember, options: { readonly waitHealthy?: boolean } = {}): Promise<void> {
    this.launch(member, 'existing');
    if (options.waitHealthy !== false) await this.waitHealthy([member]);
  }

  pause(member: EtcdMember): void {
    member.process?.kill('SIGSTOP');
  }

  resume(member: EtcdMember): void {
    member.process?.kill('SIGCONT');
  }

  /** The member that is the raft leader now, asked of every running member. */
  async leader(): Promise<EtcdMember | undefined> {
    for (const member of this.members.filter((candidate) => candidate.process)) {
      const status = await this.post(member, '/v3/maintenance/status', {});
      const leaderId = status?.leader as string | undefined;
      const memberId = (status?.header as { member_id?: string } | undefined)?.member_id;
      if (leaderId !== undefined && leaderId === memberId) return member;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    for (const member of this.members) await this.kill(member);
    rmSync(this.root, { recursive: true, force: true });
  }

  private launch(member: EtcdMember, state: 'new' | 'existing'): void {
    mkdirSync(member.dataDir, { recursive: true });
    const log = openSync(join(this.root, `${member.name}.log`), 'a');
    const initialCluster = this.members.map((each) => `${each.name}=${each.peerUrl}`).join(',');
    const tls = this.options.tls;
    const args = [
      `--name=${member.name}`, `--data-dir=${member.dataDir}`,
      `--listen-client-urls=${member.clientUrl}`, `--advertise-client-urls=${member.clientUrl}`,
      `--listen-peer-urls=${member.peerUrl}`, `--initial-advertise-peer-urls=${member.peerUrl}`,
      `--initial-cluster=${initialCluster}`, `--initial-cluster-state=${state}`,
      `--initial-cluster-token=${this.prefix}`, '--pre-vote=true',
      ...(tls ? [`--cert-file=${tls.certFile}`, `--key-file=${tls.keyFile}`] : []),
      // A trusted CA makes etcd require client certificates whatever --client-cert-auth says.
      ...(tls && this.options.clientCertAuth ? [`--trusted-ca-file=${tls.caFile}`, '--client-cert-auth=true'] : []),
    ];
    const child = spawn('etcd', args, { stdio: ['ignore', log, log] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    member.process = child;
  }

  /** Waits until each of `members` sees a leader; after HEALTHY_MS_MAX stops the whole cluster and throws. */
  async waitHealthy(members: readonly EtcdMember[]): Promise<void> {
    const deadlineMs = Date.now() + HEALTHY_MS_MAX;
    for (const member of members) {
      for (;;) {
        const status = await this.post(member, '/v3/maintenance/status', {});
        if (status !== undefined && status.leader !== undefined && status.leader !== '0') break;
        if (Date.now() > deadlineMs) {
          await this.stop();
          throw new Error(`etcd member ${member.name} (${member.clientUrl}) not healthy within ${HEALTHY_MS_MAX} ms; its log: ${join(this.root, `${member.name}.log`)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** A POST to one member (maintenance status, health) through the client under test's gateway. */
  async post(member: EtcdMember, path: string, body: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const gateway = new EtcdGateway({ endpoints: [member.clientUrl], callTimeoutMs: 2_000, ...(this.options.tls ? { tls: this.options.tls } : {}), ...(this.options.auth ? { auth: this.options.auth } : {}) });
    try {
      const answer = await gateway.post(path, body);
      return answer.kind === 'ok' ? answer.json : undefined;
    } finally {
      gateway.close();
    }
  }
}
