import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShutdownPolicy } from '../common/states.ts';
import type { Timing } from '../common/timing.ts';
import { findOverlaps, type Overlap } from '../resources/find-overlaps.ts';
import { isSameProcessAlive, parsePidFile } from '../resources/process-identity.ts';
import { readLedger, readResets, type LedgerEntry, type NodeReset } from '../resources/sim-ledger.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { createSharedDirLayout, sharedPaths } from '../store/shared-dir.ts';
import { haCfgText, resourcesCfgText, type ClusterResource } from './cluster-config.ts';
import { ClusterProcess, pollUntil } from './cluster-process.ts';
import { EtcdLocalStore } from './etcd-local-store.ts';
import { DirLocalStore, type LocalStore, type LocalStoreKind } from './local-store.ts';

export interface LocalClusterSpec {
  readonly nodes: readonly string[];
  readonly timing: Timing;
  readonly resources: readonly ClusterResource[];
  readonly shutdownPolicy?: ShutdownPolicy;
  /** Where to build the cluster; default a fresh folder under the system's temporary directory. */
  readonly root?: string;
  /**
   * The timeout the emulated watchdog devices enforce; default the timing's device timeout. Only a
   * test that plants a broken watchdog (one that never fires) sets it.
   */
  readonly emulatorTimeoutMs?: number;
  /**
   * Nodes that run without a watchdog (`node <n> watchdog=none` in the fence.cfg the caller writes):
   * no emulated device and no mux are started for them, as an operator would disable both.
   */
  readonly nodesWithoutWatchdog?: readonly string[];
  /** Where leases, status, commands and config live: the shared directory (default) or the cluster's own etcd. */
  readonly store?: LocalStoreKind;
}

type DaemonName = 'emulator' | 'mux' | 'lrm' | 'crm';
/** A daemon gets this long after SIGTERM before SIGKILL; an LRM stopping services gets more. */
const STOP_GRACE_MS = 10_000;
/**
 * An LRM asked to shut down stops its services (or, under the migrate policy, waits for the master to
 * move them, which cannot happen when every node is leaving): after this long it is killed, its
 * watchdog resets its node, and that ends its services as a real reset would.
 */
const LRM_STOP_GRACE_MS = 10_000;
/** Startup of a tsx process on a loaded 2-core machine: a few seconds; ten times that is a failure. */
const START_TIMEOUT_MS = 30_000;
/**
 * A cluster of several nodes on this one machine, with real processes. The model:
 * - The store (./local-store.ts) is the shared directory `<root>/shared/`, which each node reaches only
 *   through its own symlink, or (`store: 'etcd'`) the cluster's own 3-member etcd, which each node
 *   reaches only through its own TCP proxies (./etcd-local-store.ts). Cutting a node from the store
 *   breaks its way there (ENOTDIR; connections refused) while the other nodes carry on; healing mends it.
 *   On etcd, `<root>/shared/` is still the directory of the drivers' files (VM definitions, the ledger
 *   of the emulated services), which the LRMs get as `--dir`: nothing of the store.
 * - `<root>/nodes/<node>/` is the node run directory of the emulated watchdog (pids/ of every process
 *   that dies with the node, resets.jsonl); node run directories are siblings named after their node.
 * - `<root>/local/<node>/` holds the node's own disk: journals (state/), the watchdog FIFO, the mux
 *   socket, logs.
 * Per node it runs ha-watchdog-emulator, ha-watchdog-mux --emulated, ha-lrm and ha-crm.
 */
export class LocalCluster {
  readonly root: string;
  /** The shared directory (dir store), or the drivers' files and the ledger (etcd store). */
  readonly sharedDir: string;
  private readonly processes = new Map<string, ClusterProcess>();
  private localStore: LocalStore | undefined;

  private constructor(readonly spec: LocalClusterSpec) {
    this.root = spec.root ?? mkdtempSync(join(tmpdir(), 'ha-cluster-'));
    this.sharedDir = join(this.root, 'shared');
  }

  /** Builds the folders and config files of a cluster on the dir store (nothing runs yet). */
  static create(spec: LocalClusterSpec): LocalCluster {
    if ((spec.store ?? 'dir') !== 'dir') throw new Error(`LocalCluster.create builds a cluster on the dir store; one on ${spec.store} starts its store: use LocalCluster.open`);
    const cluster = LocalCluster.folders(spec);
    const paths = createSharedDirLayout(cluster.sharedDir);
    writeFileSync(paths.settings, cluster.haCfgText());
    writeFileSync(paths.resources, resourcesCfgText(spec.resources));
    const store = new DirLocalStore(cluster.root, cluster.sharedDir, (node) => cluster.localDir(node));
    cluster.localStore = store;
    for (const node of spec.nodes) store.heal(node);
    return cluster;
  }

  /**
   * Builds a cluster on either store: for etcd it starts the cluster's own etcd and the nodes' proxies
   * and sets the cluster up there (nothing of the nodes runs yet).
   */
  static async open(spec: LocalClusterSpec): Promise<LocalCluster> {
    if ((spec.store ?? 'dir') === 'dir') return LocalCluster.create(spec);
    const cluster = LocalCluster.folders(spec);
    mkdirSync(sharedPaths(cluster.sharedDir).ledger, { recursive: true });
    const configFiles = { 'ha.cfg': cluster.haCfgText(), 'resources.cfg': resourcesCfgText(spec.resources) };
    cluster.localStore = await EtcdLocalStore.start({ root: cluster.root, filesDir: cluster.sharedDir, nodes: spec.nodes, configFiles });
    return cluster;
  }

  private static folders(spec: LocalClusterSpec): LocalCluster {
    const cluster = new LocalCluster(spec);
    mkdirSync(cluster.sharedDir, { recursive: true });
    for (const node of spec.nodes) {
      mkdirSync(join(cluster.localDir(node), 'state'), { recursive: true });
      mkdirSync(cluster.nodeDir(node), { recursive: true });
    }
    return cluster;
  }

  private haCfgText(): string {
    return haCfgText(this.spec.timing, this.spec.shutdownPolicy ?? 'conditional', this.spec.nodes);
  }

  /** The store as the launcher sees it (its kind, the flags of a node, cut and heal). */
  get local(): LocalStore {
    if (this.localStore === undefined) throw new Error('The local cluster has no store yet');
    return this.localStore;
  }

  /** The cluster's own view of its store: status, leases, config (never cut). */
  get store(): ClusterStore {
    return this.local.store;
  }

  /** The cluster's etcd, to inject faults into it; only on the etcd store. */
  get etcd(): EtcdLocalStore {
    const local = this.local;
    if (!(local instanceof EtcdLocalStore)) throw new Error(`This local cluster runs on the ${local.kind} store, not on etcd`);
    return local;
  }

  nodeDir(node: string): string {
    return join(this.root, 'nodes', node);
  }

  localDir(node: string): string {
    return join(this.root, 'local', node);
  }

  /**
   * `ha-manager <args>` against this cluster's store, as an operator runs it (never cut): the argv
   * after the program, and the environment.
   */
  cliCommand(args: readonly string[]): { readonly argv: string[]; readonly env: NodeJS.ProcessEnv } {
    return { argv: [...args, ...this.local.cliFlags], env: { ...process.env, ...this.local.env } };
  }

  /** The arguments that give a daemon or a CLI acting for `node` the store, as `node` reaches it. */
  storeFlagsOf(node: string): string[] {
    return this.local.flagsOf(node);
  }

  process(node: string, daemon: DaemonName): ClusterProcess | undefined {
    return this.processes.get(`${node}/${daemon}`);
  }

  /**
   * Starts the emulator (if not running), the mux (neither on a node without a watchdog), then the
   * LRM and the CRM of `node`, and waits until they run their rounds — unless `waitForRounds` is false
   * (a node booting while it is cut off waits for the shared directory before its first round: a
   * supervisor does not wait for that).
   */
  async startNode(node: string, daemons: { lrm?: boolean; crm?: boolean; waitForRounds?: boolean } = {}): Promise<void> {
    const hasWatchdog = !(this.spec.nodesWithoutWatchdog ?? []).includes(node);
    if (hasWatchdog && !this.process(node, 'emulator')?.isRunning) await this.startEmulator(node);
    if (hasWatchdog && !this.process(node, 'mux')?.isRunning) await this.startMux(node);
    if (daemons.lrm !== false) this.startDaemon(node, 'lrm');
    if (daemons.crm !== false) this.startDaemon(node, 'crm');
    if (daemons.waitForRounds === false) return;
    if (daemons.lrm !== false) await this.waitUntilRunning(node, 'lrm');
    if (daemons.crm !== false) await this.waitUntilRunning(node, 'crm');
  }

  /**
   * Starts every node: first the watchdogs and LRMs, and only once every LRM has published its status
   * the CRMs (`firstMaster`'s first, until it is master) — a master that finds a node with no LRM status
   * and a never-taken agent lease fences it on that free lease, and its services, which the node's LRM
   * has not reported on yet, then wait for the node to come back (a free lease proves nothing about
   * them): a slow start of the test's own cluster, not a fault it means to inject.
   */
  async startAll(options: { firstMaster?: string } = {}): Promise<void> {
    await Promise.all(this.spec.nodes.map((node) => this.startNode(node, { crm: false })));
    await pollUntil('every LRM to publish its status', START_TIMEOUT_MS, () =>
      this.spec.nodes.every((node) => {
        if (!this.process(node, 'lrm')?.isRunning) throw new Error(`The LRM of ${node} exited at start: ${this.logTail(node, 'lrm')}`);
        return this.store.status.readLrmStatus(node).kind === 'ok';
      }),
    );
    const first = options.firstMaster;
    if (first !== undefined) {
      this.startDaemon(first, 'crm');
      const status = this.store.status;
      await pollUntil(`${first} to become master`, START_TIMEOUT_MS, () => {
        const read = status.readManagerStatus();
        return read.kind === 'ok' && read.value.masterNode === first;
      });
    }
    for (const node of this.spec.nodes) if (node !== first) this.startDaemon(node, 'crm');
    await Promise.all(this.spec.nodes.map((node) => this.waitUntilRunning(node, 'crm')));
  }

  /**
   * Waits until a daemon has run its first round (its log shows the state it left 'startup' for): a
   * daemon signalled while still loading dies of the signal's default action, not by its own handler.
   */
  async waitUntilRunning(node: string, daemon: 'lrm' | 'crm'): Promise<void> {
    await pollUntil(`the ${daemon} of ${node} to run`, START_TIMEOUT_MS, () => {
      if (!this.process(node, daemon)?.isRunning) throw new Error(`The ${daemon} of ${node} exited at start: ${this.logTail(node, daemon)}`);
      return this.hasRunFirstRound(node, daemon);
    }, 100);
  }

  /** Has the running ha-lrm or ha-crm of `node` run its first round (its handlers are in place)? */
  hasRunFirstRound(node: string, daemon: 'lrm' | 'crm'): boolean {
    const process = this.process(node, daemon);
    return process !== undefined && process.isRunning && process.hasLoggedEarly(`"ev":"${daemon}-state","from":"startup"`);
  }

  /** Starts ha-lrm or ha-crm of `node` (again, e.g. after a reset). */
  startDaemon(node: string, daemon: 'lrm' | 'crm'): ClusterProcess {
    const local = this.localDir(node);
    const args = ['--node', node, ...this.storeFlagsOf(node), '--state-dir', join(local, 'state'), '--watchdog-socket', join(local, 'mux.sock')];
    args.push('--emulated-watchdog', '--node-dir', this.nodeDir(node));
    // hasRunFirstRound reads the log as JSON lines (one object per event, each log file one daemon's).
    args.push('--log-format', 'json');
    if (daemon === 'lrm') args.push('--drivers', 'vm=sim,ct=sim');
    const env = Object.keys(this.local.env).length === 0 ? {} : { env: { ...process.env, ...this.local.env } };
    return this.track(node, daemon, ClusterProcess.start(`${daemon} of ${node}`, `ha-${daemon}`, args, { logFile: join(local, `${daemon}.log`), ...env }));
  }

  private async startEmulator(node: string): Promise<void> {
    const local = this.localDir(node);
    const timeoutMs = this.spec.emulatorTimeoutMs ?? this.spec.timing.watchdogDeviceTimeoutMs;
    const args = ['--device', join(local, 'watchdog.fifo'), '--node-dir', this.nodeDir(node), '--timeout', String(timeoutMs / 1000)];
    const emulator = ClusterProcess.start(`emulator of ${node}`, 'ha-watchdog-emulator', args, { logFile: join(local, 'emulator.log'), keepStdout: true });
    this.track(node, 'emulator', emulator);
    await emulator.waitForStdout('ready', START_TIMEOUT_MS);
  }

  private async startMux(node: string): Promise<void> {
    const local = this.localDir(node);
    const socket = join(local, 'mux.sock');
    rmSync(socket, { force: true }); // left by a mux killed in a reset
    const timing = this.spec.timing;
    const args = ['--emulated', '--device', join(local, 'watchdog.fifo'), '--socket', socket, '--node-dir', this.nodeDir(node)];
    // The emulated device cannot be asked: the mux reports this flag, which matches the emulator's --timeout.
    args.push('--device-timeout', String(timing.watchdogDeviceTimeoutMs / 1000), '--keepalive-interval', '0.5');
    const mux = ClusterProcess.start(`mux of ${node}`, 'ha-watchdog-mux', args, { logFile: join(local, 'mux.log') });
    this.track(node, 'mux', mux);
    await pollUntil(`the mux socket ${socket}`, START_TIMEOUT_MS, () => {
      if (!mux.isRunning) throw new Error(`The mux of ${node} exited at start: ${this.logTail(node, 'mux')}`);
      return isSocket(socket);
    });
  }

  private track(node: string, daemon: DaemonName, process: ClusterProcess): ClusterProcess {
    this.processes.set(`${node}/${daemon}`, process);
    return process;
  }

  /** Cuts `node` from the store: its link points nowhere, or its etcd proxies refuse. */
  cut(node: string): void {
    this.local.cut(node);
  }

  heal(node: string): void {
    this.local.heal(node);
  }

  isCut(node: string): boolean {
    return this.local.isCut(node);
  }

  /** Asks the LRM of `node` to treat its next stop as `kind` (a node shutdown or reboot, or a restart). */
  requestShutdownKind(node: string, kind: 'shutdown' | 'reboot' | 'restart'): void {
    writeFileSync(join(this.localDir(node), 'state', 'shutdown-request'), `${kind}\n`);
  }

  ledger(): LedgerEntry[] {
    return readLedger(sharedPaths(this.sharedDir).ledger);
  }

  resets(): NodeReset[] {
    return readResets(Object.fromEntries(this.spec.nodes.map((node) => [node, this.nodeDir(node)])));
  }

  overlaps(): Overlap[] {
    return findOverlaps(this.ledger(), this.resets());
  }

  /** Nodes where a service process of `sid` runs now (live pid files in the node run directories). */
  runningOn(sid: string): string[] {
    const file = `service-${sid.replace(':', '.')}.pid`;
    return this.spec.nodes.filter((node) => {
      const path = join(this.nodeDir(node), 'pids', file);
      try {
        const identity = parsePidFile(readFileSync(path, 'utf8'));
        return identity !== undefined && isSameProcessAlive(identity);
      } catch {
        return false;
      }
    });
  }

  /** The last lines of a daemon's log, for error messages. */
  logTail(node: string, daemon: DaemonName, lines = 5): string {
    try {
      return readFileSync(join(this.localDir(node), `${daemon}.log`), 'utf8').trim().split('\n').slice(-lines).join(' | ');
    } catch {
      return '(no log)';
    }
  }

  /**
   * Stops everything this cluster started: the LRMs first (their services stop per the shutdown
   * policy of a node shutdown), then the CRMs, the muxes, the emulators; then any service process
   * still listed in a node's pids/ (SIGTERM, so it records its stop, then SIGKILL); then the store's
   * own processes (the etcd members). The ledger and the resets stay readable until `remove`.
   */
  async stop(): Promise<void> {
    for (const node of this.spec.nodes) if (this.process(node, 'lrm')?.isRunning) this.requestShutdownKind(node, 'shutdown');
    await this.stopAll('lrm', LRM_STOP_GRACE_MS);
    await this.stopAll('crm', STOP_GRACE_MS);
    await this.stopAll('mux', STOP_GRACE_MS);
    await this.stopAll('emulator', STOP_GRACE_MS);
    await this.stopLeftoverServices();
    await this.localStore?.close();
  }

  /** Removes the cluster's folder (call after stop). */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Every process started, for a final check that none is left. */
  allProcesses(): ClusterProcess[] {
    return [...this.processes.values()];
  }

  private async stopAll(daemon: DaemonName, graceMs: number): Promise<void> {
    await Promise.all(this.spec.nodes.map((node) => this.process(node, daemon)?.stop(graceMs)));
  }

  /**
   * Live processes listed in the node run directories (pids/: services and daemons): after stop()
   * none should be left. A daemon the cluster lost track of (started twice, say) shows up here too.
   */
  registeredAlive(): Array<{ node: string; name: string; pid: number }> {
    const alive: Array<{ node: string; name: string; pid: number }> = [];
    for (const node of this.spec.nodes) {
      const dir = join(this.nodeDir(node), 'pids');
      if (!existsSync(dir)) continue;
      for (const entry of readdirSync(dir).filter((name) => name.endsWith('.pid'))) {
        let identity;
        try {
          identity = parsePidFile(readFileSync(join(dir, entry), 'utf8'));
        } catch {
          continue; // removed meanwhile
        }
        if (identity && isSameProcessAlive(identity)) alive.push({ node, name: entry.slice(0, -'.pid'.length), pid: identity.pid });
      }
    }
    return alive;
  }

  /** SIGTERM to every registered process still alive (a service then records its stop), SIGKILL after the grace. */
  private async stopLeftoverServices(): Promise<void> {
    const pids = this.registeredAlive().map((registered) => registered.pid);
    for (const pid of pids) signalPid(pid, 'SIGTERM');
    await pollUntil('leftover processes to exit', STOP_GRACE_MS, () => pids.every((pid) => !isAlive(pid))).catch(() => {
      for (const pid of pids) signalPid(pid, 'SIGKILL');
    });
  }
}

function isSocket(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
