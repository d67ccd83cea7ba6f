import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdClusterStore } from '../store/etcd/etcd-cluster-store.ts';
import { DEFAULT_ETCD_PREFIX } from '../store/etcd/etcd-keys.ts';
import type { ConfigFileName } from '../store/store-ports.ts';
import { LocalEtcdCluster, type EtcdMember } from './etcd-members.ts';
import type { LocalStore } from './local-store.ts';
import { startCutProxies, type CutProxies } from './tcp-cut-proxy.ts';

/** Members of the local etcd: three, the smallest cluster that survives the loss of one. */
export const LOCAL_ETCD_MEMBERS = 3;

/**
 * A local cluster's store on a real etcd (DESIGN.md "The etcd store"): its own 3-member etcd on loopback
 * ports (data and logs in `<root>/etcd/`), set up as `ha-manager init` would (the marker key, then the
 * config files by one compare-and-set), and per node its own TCP proxies in front of the members' client
 * ports: the node's daemons get `--store etcd --endpoints <its proxies>`, and cutting the node is
 * cutting its proxies (the etcd analogue of the dir store's symlink). The cluster's own view talks to
 * the members directly. Keys under the default prefix: the etcd is the cluster's alone.
 *
 * Besides the node faults, the faults of the store itself: a member killed, SIGSTOPped, the leader
 * killed, a majority stopped.
 */
export class EtcdLocalStore implements LocalStore {
  readonly kind = 'etcd';
  readonly store: EtcdClusterStore;
  readonly description: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cliFlags: readonly string[];
  private readonly cutNodes = new Set<string>();

  private constructor(
    readonly etcd: LocalEtcdCluster,
    private readonly proxies: ReadonlyMap<string, CutProxies>,
    /** The directory the LRMs' drivers read and write (VM definitions, the emulated services' ledger). */
    private readonly filesDir: string,
    storeCfg: string,
  ) {
    this.store = this.openView();
    const ports = etcd.endpoints.map((endpoint) => new URL(endpoint).port).join(', ');
    this.description = `a ${etcd.members.length}-member etcd on 127.0.0.1 (client ports ${ports}; data and logs in ${etcd.root}), each node through its own cuttable TCP proxy`;
    this.env = { HA_MANAGER_STORE_CFG: storeCfg };
    this.cliFlags = ['--store', 'etcd', '--endpoints', etcd.endpoints.join(',')];
  }

  openView(): EtcdClusterStore {
    return new EtcdClusterStore({ endpoints: this.etcd.endpoints }, DEFAULT_ETCD_PREFIX);
  }

  /**
   * Starts the members and the proxies, and sets the cluster up with `configFiles` (file → text).
   * On a failure everything started is stopped again.
   */
  static async start(options: { root: string; filesDir: string; nodes: readonly string[]; configFiles: Readonly<Partial<Record<ConfigFileName, string>>> }): Promise<EtcdLocalStore> {
    // The daemons take the store from their flags; an empty store file keeps the host's /etc/ha-manager/store.cfg (TLS, prefix) out of it.
    const storeCfg = join(options.root, 'store.cfg');
    writeFileSync(storeCfg, '# The local cluster gives its daemons the etcd store by flags; this file only keeps /etc/ha-manager/store.cfg out.\n');
    const etcd = await LocalEtcdCluster.start({ size: LOCAL_ETCD_MEMBERS, root: join(options.root, 'etcd') });
    const proxies = new Map<string, CutProxies>();
    let local: EtcdLocalStore | undefined;
    try {
      for (const node of options.nodes) proxies.set(node, await startCutProxies(etcd.endpoints));
      local = new EtcdLocalStore(etcd, proxies, options.filesDir, storeCfg);
      local.setUp(options.configFiles);
      return local;
    } catch (error) {
      if (local !== undefined) await local.close();
      else {
        for (const proxy of proxies.values()) await proxy.close();
        await etcd.stop();
      }
      throw error;
    }
  }

  private setUp(configFiles: Readonly<Partial<Record<ConfigFileName, string>>>): void {
    const setUp = this.store.setUp();
    if (setUp !== 'ready') throw new Error(`Setting up ${this.store.where}: ${setUp.message}`);
    const changes = Object.entries(configFiles).map(([file, text]) => ({ file: file as ConfigFileName, text, expectedVersion: undefined }));
    const written = this.store.config.writeAll(changes);
    if (written.kind !== 'written') throw new Error(`Writing the config files to ${this.store.where}: ${written.kind === 'unavailable' ? written.message : 'a file exists already'}`);
  }

  flagsOf(node: string): string[] {
    return ['--store', 'etcd', '--endpoints', this.proxiesOf(node).endpoints.join(','), '--dir', this.filesDir];
  }

  cut(node: string): void {
    this.proxiesOf(node).setCut(true);
    this.cutNodes.add(node);
  }

  heal(node: string): void {
    this.proxiesOf(node).setCut(false);
    this.cutNodes.delete(node);
  }

  isCut(node: string): boolean {
    return this.cutNodes.has(node);
  }

  get members(): readonly EtcdMember[] {
    return this.etcd.members;
  }

  /** Members whose process runs (paused ones included). */
  runningMembers(): EtcdMember[] {
    return this.etcd.members.filter((member) => member.process !== undefined);
  }

  /** SIGKILL to a member; it stays down until `restartMember`. */
  async killMember(member: EtcdMember): Promise<void> {
    await this.etcd.kill(member);
  }

  /** Starts a killed member again with its data; waits until it is healthy unless told not to (it may have no majority to join). */
  async restartMember(member: EtcdMember, options: { readonly waitHealthy?: boolean } = {}): Promise<void> {
    if (member.process !== undefined) return;
    await this.etcd.restart(member, options);
  }

  pauseMember(member: EtcdMember): void {
    this.etcd.pause(member);
  }

  resumeMember(member: EtcdMember): void {
    this.etcd.resume(member);
  }

  /** The raft leader now (asked of the members through /v3/maintenance/status), if there is one. */
  async leader(): Promise<EtcdMember | undefined> {
    return this.etcd.leader();
  }

  /** Kills the leader; returns it (undefined when no member says it leads). */
  async killLeader(): Promise<EtcdMember | undefined> {
    const leader = await this.etcd.leader();
    if (leader !== undefined) await this.etcd.kill(leader);
    return leader;
  }

  /** Kills a majority of the members (the leader among them, when there is one); returns them. */
  async stopMajority(): Promise<EtcdMember[]> {
    const leader = await this.etcd.leader();
    const running = this.runningMembers();
    const ordered = leader === undefined ? running : [leader, ...running.filter((member) => member !== leader)];
    const majority = ordered.slice(0, Math.floor(this.etcd.members.length / 2) + 1);
    for (const member of majority) await this.etcd.kill(member);
    return majority;
  }

  /** Starts the given members again, all at once (one alone has no majority to be healthy in), then waits until each is. */
  async startMembers(members: readonly EtcdMember[]): Promise<void> {
    const down = members.filter((member) => member.process === undefined);
    for (const member of down) await this.etcd.restart(member, { waitHealthy: false });
    await this.etcd.waitHealthy(down);
  }

  async close(): Promise<void> {
    this.store.close();
    for (const proxy of this.proxies.values()) await proxy.close();
    await this.etcd.stop();
  }

  private proxiesOf(node: string): CutProxies {
    const proxies = this.proxies.get(node);
    if (proxies === undefined) throw new Error(`No etcd proxies for node '${node}' (nodes: ${[...this.proxies.keys()].join(', ')})`);
    return proxies;
  }
}
