import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST_TIMING, haCfgText, resourcesCfgText } from '../../src/cluster/cluster-config.ts';
import { BIN_DIR, ClusterProcess, pollUntil } from '../../src/cluster/cluster-process.ts';
import { LocalEtcdCluster } from '../../src/cluster/etcd-members.ts';
import { startCutProxies, type CutProxies } from '../../src/cluster/tcp-cut-proxy.ts';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { findOverlaps } from '../../src/resources/find-overlaps.ts';
import { readLedger, readResets } from '../../src/resources/sim-ledger.ts';
import { EtcdClusterStore } from '../../src/store/etcd/etcd-cluster-store.ts';
import type { ConfigFileName } from '../../src/store/store-ports.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';
import { firstLineOf } from './daemon-output.ts';

const NODES = ['n1', 'n2'];
/** Startup of a tsx process on a loaded 2-core machine: a few seconds; ten times that is a failure. */
const START_MS_MAX = 30_000;
/** A migration of a sim service: a few rounds of 1 s (fast timing) and the service's own start. */
const MIGRATE_MS_MAX = 40_000;
const STOP_GRACE_MS = 10_000;

/**
 * Real ha-crm and ha-lrm processes of two nodes on a real 3-member etcd, each node with its emulated
 * watchdog (ha-watchdog-emulator + ha-watchdog-mux, as src/cluster/local-cluster.ts starts them) and
 * its own store file naming its endpoints (through its own cuttable proxy), the cluster's prefix and the
 * directory of the sim drivers' ledger — the only thing on a filesystem. The cluster is set up through
 * the store, as `ha-manager init` does; the command goes through the store's queue, as the CLI does.
 */
describe('ha-crm and ha-lrm on etcd (real processes, real etcd, emulated watchdog)', function () {
  this.timeout(240_000);
  let etcd: LocalEtcdCluster | undefined;
  let root: string;
  let store: EtcdClusterStore | undefined;
  const proxies = new Map<string, CutProxies>();
  const processes: ClusterProcess[] = [];

  before(async function () {
    skipWithoutEtcd(this, 'the etcd cases');
    etcd = await LocalEtcdCluster.start();
    root = mkdtempSync(join(tmpdir(), 'ha-etcd-daemons-'));
    store = new EtcdClusterStore({ endpoints: etcd.endpoints }, etcd.prefix);
    for (const node of NODES) proxies.set(node, await startCutProxies(etcd.endpoints));
  });

  after(async () => {
    // LRMs first (a shutdown stops their services), then the CRMs, muxes and emulators.
    for (const node of NODES) if (root !== undefined && existsSync(join(root, node, 'state'))) writeFileSync(join(root, node, 'state', 'shutdown-request'), 'shutdown\n');
    for (const name of ['lrm', 'crm', 'mux', 'emulator']) await Promise.all(processes.filter((each) => each.name.startsWith(name)).map((each) => each.stop(STOP_GRACE_MS)));
    store?.close();
    for (const proxy of proxies.values()) await proxy.close();
    await etcd?.stop();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('a daemon waits while the cluster is not set up under its prefix, saying so at once, and never sets it up itself', async () => {
    const local = join(root, 'n1');
    mkdirSync(local, { recursive: true });
    const child = spawn(process.execPath, [join(BIN_DIR, 'ha-lrm'), '--node', 'n1', '--state-dir', join(local, 'state'), '--watchdog-socket', join(local, 'mux.sock')], { stdio: ['ignore', 'ignore', 'pipe'], env: nodeEnv('n1') });
    const { stderr, isWaiting } = await firstLineOf(child);
    assert.ok(isWaiting, `the daemon exited instead of waiting: ${stderr}`);
    const line = stderr.split('\n')[0]!;
    assert.ok(line.includes(`The etcd store etcd ${proxies.get('n1')!.endpoints.join(',')} ${etcd!.prefix} is not set up under its prefix (no key ${etcd!.prefix}cluster): the cluster was never set up there, or the prefix is wrong (run 'ha-manager init' once, on one node); waiting up to 120 s for it`), line);
    assert.equal(store!.probe(), 'not-set-up', 'the daemon wrote no marker');
  });

  it('starts a service (its LRM status in etcd), carries out a migrate queued in etcd, records it in resources.cfg in etcd, nothing runs twice', async () => {
    setUpCluster(store!, [{ sid: 'vm:100', node: 'n1' }]);
    for (const node of NODES) await startNode(node);
    await pollUntil('vm:100 to be started on n1, as n1 reports in etcd', START_MS_MAX + MIGRATE_MS_MAX, () => hasStarted(store!, 'n1', 'vm:100'), 200);
    const master = store!.status.readManagerStatus();
    assert.equal(master.kind, 'ok');
    assert.ok(master.kind === 'ok' && NODES.includes(master.value.masterNode ?? ''), 'a master, recorded in etcd');

    const queued = store!.commands.enqueue('migrate vm:100 n2');
    assert.equal(queued.kind, 'queued');
    await pollUntil('vm:100 to be started on n2 after the migrate', MIGRATE_MS_MAX, () => hasStarted(store!, 'n2', 'vm:100'), 200);
    await pollUntil('the master to record node n2 in resources.cfg in etcd', MIGRATE_MS_MAX, () => loadHaConfig(store!).config.resources['vm:100']?.node === 'n2', 200);
    const read = store!.commands.read();
    assert.deepEqual(read, [], 'the command was taken from the queue');

    const ledger = readLedger(join(root, 'drivers', 'ledger'));
    assert.deepEqual(ledger.filter((entry) => entry.event === 'start').map((entry) => entry.node), ['n1', 'n2'], 'started on n1, then on n2');
    const resets = readResets(Object.fromEntries(NODES.map((node) => [node, join(root, 'nodes', node)])));
    assert.deepEqual(resets, [], 'no node was reset');
    assert.deepEqual(findOverlaps(ledger, resets), [], 'never on two nodes at once');
    for (const node of NODES) for (const daemon of ['lrm', 'crm']) assert.ok(processes.find((each) => each.name === `${daemon} of ${node}`)?.isRunning, `${daemon} of ${node} runs`);
  });

  it('a node cut from etcd: its watchdog resets it, the master takes its agent lease and recovers its service elsewhere, nothing runs twice', async () => {
    const cutWallMs = Date.now();
    proxies.get('n2')!.setCut(true);
    await pollUntil('n2 to be reset by its watchdog', MIGRATE_MS_MAX, () => readResets({ n2: join(root, 'nodes', 'n2') }).some((reset) => reset.wallMs >= cutWallMs), 200);
    await pollUntil('vm:100 to be recovered on n1', MIGRATE_MS_MAX + FAST_TIMING.leaseTimeoutMs, () => hasStarted(store!, 'n1', 'vm:100'), 200);
    const ledger = readLedger(join(root, 'drivers', 'ledger'));
    const resets = readResets(Object.fromEntries(NODES.map((node) => [node, join(root, 'nodes', node)])));
    assert.deepEqual(resets.map((reset) => reset.node), ['n2'], 'only the cut node was reset');
    assert.deepEqual(findOverlaps(ledger, resets), [], 'never on two nodes at once');
    assert.equal(ledger.filter((entry) => entry.event === 'start').at(-1)?.node, 'n1');
  });

  it('SIGTERM ends each running daemon cleanly (exit 0): the etcd client and its watch keep no process alive', async () => {
    const daemons = processes.filter((each) => each.isRunning && /^(lrm|crm) of /.test(each.name));
    assert.deepEqual(daemons.map((each) => each.name).sort(), ['crm of n1', 'lrm of n1']);
    writeFileSync(join(root, 'n1', 'state', 'shutdown-request'), 'shutdown\n');
    for (const daemon of daemons) {
      await daemon.stop(STOP_GRACE_MS);
      assert.deepEqual(daemon.exit, { code: 0, signal: null }, `${daemon.name}: ${logTail(daemon.log.file)}`);
    }
  });

  /** The environment of `node`'s daemons: its own store file (its endpoints, the prefix, the drivers' directory), no store variables. */
  function nodeEnv(node: string): NodeJS.ProcessEnv {
    mkdirSync(join(root, node), { recursive: true });
    const storeCfg = join(root, node, 'store.cfg');
    const endpoints = proxies.get(node)!.endpoints.join(',');
    writeFileSync(storeCfg, `# ${node}: this node's way to etcd\nstore: etcd\nendpoints: ${endpoints}\nprefix: ${etcd!.prefix}\ndir: ${join(root, 'drivers')}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, HA_MANAGER_STORE_CFG: storeCfg };
    delete env.HA_MANAGER_DIR;
    delete env.HA_MANAGER_STORE;
    return env;
  }

  /** Writes the cluster into etcd through the store: the marker `ha-manager init` writes, ha.cfg, resources.cfg. */
  function setUpCluster(target: EtcdClusterStore, resources: Parameters<typeof resourcesCfgText>[0]): void {
    assert.equal(target.setUp(), 'ready');
    const files: Array<[ConfigFileName, string]> = [['ha.cfg', haCfgText(FAST_TIMING, 'conditional', NODES)], ['resources.cfg', resourcesCfgText(resources)]];
    for (const [file, text] of files) assert.equal(target.config.write(file, text, undefined).kind, 'written', file);
  }

  /** The emulator, the mux, then the LRM and the CRM of `node`, each waited for (mux socket, first round). */
  async function startNode(node: string): Promise<void> {
    const local = join(root, node);
    const nodeDir = join(root, 'nodes', node);
    mkdirSync(join(local, 'state'), { recursive: true });
    mkdirSync(nodeDir, { recursive: true });
    const env = nodeEnv(node);

    const deviceTimeoutS = String(FAST_TIMING.watchdogDeviceTimeoutMs / 1000);
    const emulatorArgs = ['--device', join(local, 'watchdog.fifo'), '--node-dir', nodeDir, '--timeout', deviceTimeoutS];
    const emulator = ClusterProcess.start(`emulator of ${node}`, 'ha-watchdog-emulator', emulatorArgs, { logFile: join(local, 'emulator.log'), keepStdout: true });
    processes.push(emulator);
    await emulator.waitForStdout('ready', START_MS_MAX);
    const socket = join(local, 'mux.sock');
    const muxArgs = ['--emulated', '--device', join(local, 'watchdog.fifo'), '--socket', socket, '--node-dir', nodeDir, '--device-timeout', deviceTimeoutS, '--keepalive-interval', '0.5'];
    const mux = ClusterProcess.start(`mux of ${node}`, 'ha-watchdog-mux', muxArgs, { logFile: join(local, 'mux.log') });
    processes.push(mux);
    await pollUntil(`the mux socket of ${node}`, START_MS_MAX, () => {
      if (!mux.isRunning) throw new Error(`The mux of ${node} exited: ${logTail(join(local, 'mux.log'))}`);
      return isSocket(socket);
    });

    const common = ['--node', node, '--state-dir', join(local, 'state'), '--watchdog-socket', socket, '--emulated-watchdog', '--node-dir', nodeDir, '--log-format', 'json'];
    for (const daemon of ['lrm', 'crm'] as const) {
      const args = daemon === 'lrm' ? [...common, '--drivers', 'vm=sim,ct=sim'] : common;
      const logFile = join(local, `${daemon}.log`);
      const started = ClusterProcess.start(`${daemon} of ${node}`, `ha-${daemon}`, args, { logFile, env });
      processes.push(started);
      await pollUntil(`the ${daemon} of ${node} to run its first round`, START_MS_MAX, () => {
        if (!started.isRunning) throw new Error(`The ${daemon} of ${node} exited at start: ${logTail(logFile)}`);
        return started.hasLoggedEarly(`"ev":"${daemon}-state","from":"startup"`);
      }, 100);
    }
  }
});

/** `node`'s LRM status in etcd reports a successful start of `sid`, and the master's status has it running there. */
function hasStarted(store: EtcdClusterStore, node: string, sid: string): boolean {
  const lrm = store.status.readLrmStatus(node);
  if (lrm.kind !== 'ok') return false;
  const isReported = [...lrm.value.results.values()].some((result) => result.sid === sid && result.request === 'started' && result.result === LrmResult.success);
  const master = store.status.readManagerStatus();
  const service = master.kind === 'ok' ? master.value.serviceStatus.get(sid) : undefined;
  return isReported && service?.node === node && service.state === 'started' && service.running;
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

function isSocket(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}
