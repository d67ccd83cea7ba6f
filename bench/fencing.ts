/**
 * Failover through a fence device vs through the watchdog path, on the same cluster in the same run
 * (issue 14): a 3-node local cluster (real daemons, emulated watchdogs, `sim` services) at the default
 * fence_timeout of 60 s with rounds of 1 s (docs/fencing.md "Timing with fence devices"). node1 has an
 * emulated BMC and an IPMI level in fence.cfg (the real fence_ipmilan, run by the master's proxy);
 * node2 has no level, so only its watchdog and the lease fence it; node3 starts as master. Each run:
 * node1 cut from the shared storage until its service runs elsewhere, node1 back (the master's `on`
 * through its BMC, once it holds node1's lease: a fence_timeout after the cut), then node2 cut until
 * its service runs elsewhere. Prints each failover, its proof,
 * the parts of the IPMI one, then the median and the worst of each path; a JSON line last.
 *
 * A benchmark, not a test: it exits 1 when an IPMI failover is over 20 s (or took another proof, or a
 * service ran twice), so `npm run bench` says so, while CI's tests stay as they are.
 *
 *   npm run bench:fencing [-- --runs N]      (default 3 runs, about three minutes each)
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { DEFAULT_TIMING } from '../src/common/timing.ts';
import { ClusterBmcs } from '../src/cluster/cluster-bmcs.ts';
import { fencingTiming } from '../src/cluster/cluster-config.ts';
import { pollUntil } from '../src/cluster/cluster-process.ts';
import { DemoObserver } from '../src/cluster/demo-observer.ts';
import { IPMI_FAILOVER_MS_MAX } from '../src/cluster/demo-run.ts';
import { orderStory } from '../src/cluster/demo-story.ts';
import { waitForMaster, waitForPlacement, waitForRecoveries } from '../src/cluster/failover.ts';
import { FenceLogReader } from '../src/cluster/fence-log-events.ts';
import { fencingFigures, FENCE_PART_NAMES, type FencePartName } from '../src/cluster/fence-parts.ts';
import { LocalCluster } from '../src/cluster/local-cluster.ts';
import { DirStatusStore } from '../src/store/dir-status-store.ts';

const NODES = ['node1', 'node2', 'node3'];
const PLACEMENT = { 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' } as const;
const IPMI_NODE = 'node1';
const WATCHDOG_NODE = 'node2';
const TIMING = fencingTiming(DEFAULT_TIMING);
/** Start of 12 processes on a loaded 2-core machine, then a few rounds. */
const START_MS_MAX = 60_000;
/** The watchdog path takes fence_timeout and a few rounds; room for a loaded machine on top. */
const RECOVERY_MS_MAX = TIMING.leaseTimeoutMs + 30_000;
/**
 * The cut node is powered on once the master holds its agent lease (fence_timeout after its last
 * renewal, docs/fencing.md), then boots and is online again: room for a loaded machine on top.
 */
const COMEBACK_MS_MAX = TIMING.leaseTimeoutMs + 40_000;
/**
 * Where each service may run (strict node-affinity rules): node1's and node2's services recover to
 * node3, never to the other cut node. node1, back after its power-off, boots as after a reset: its
 * LRM waits for a lease the master took, and a service recovered onto it then would measure that
 * wait, not the watchdog path.
 */
const ALLOWED: Readonly<Record<string, string>> = { 'vm:101': 'node1,node3', 'vm:102': 'node2,node3' };
/** More runs than this take over an hour: not what a bench run is for. */
const RUNS_MAX = 30;

interface RunFigures {
  readonly run: number;
  readonly ipmi: { readonly failoverMs: number; readonly proof: string | null; readonly parts: Partial<Record<FencePartName, number>> };
  readonly watchdog: { readonly failoverMs: number; readonly proof: string | null };
  readonly overlaps: number;
}

async function oneRun(run: number): Promise<RunFigures> {
  const cluster = LocalCluster.create({ nodes: NODES, timing: TIMING, resources: Object.entries(PLACEMENT).map(([sid, node]) => ({ sid, node })) });
  let bmcs: ClusterBmcs | undefined;
  try {
    for (const [sid, nodes] of Object.entries(ALLOWED)) haManager(cluster, ['rules', 'add', 'node-affinity', `keep-${sid.replace(':', '-')}`, '--resources', sid, '--nodes', nodes, '--strict']);
    bmcs = await ClusterBmcs.start(cluster, { fencedNodes: [IPMI_NODE], onError: (error) => console.log(`  BMC: ${error.message}`) });
    await cluster.startAll({ firstMaster: 'node3' });
    await waitForMaster(cluster, START_MS_MAX);
    await waitForPlacement(cluster, PLACEMENT, START_MS_MAX);
    const ipmi = await cutAndRecover(cluster, IPMI_NODE);
    cluster.heal(IPMI_NODE);
    await waitForOnline(cluster, IPMI_NODE, ipmi.cutWallMs, bmcs);
    const watchdog = await cutAndRecover(cluster, WATCHDOG_NODE);
    cluster.heal(WATCHDOG_NODE);
    await bmcs.stop();
    await cluster.stop();
    const overlaps = cluster.overlaps().length;
    cluster.remove();
    return { run, ipmi: { failoverMs: ipmi.failoverMs, proof: ipmi.proof, parts: ipmi.parts }, watchdog: { failoverMs: watchdog.failoverMs, proof: watchdog.proof }, overlaps };
  } catch (error) {
    await bmcs?.stop();
    await cluster.stop();
    console.log(`fencing run ${run} failed; its cluster's folder (logs, journals, ledger) is kept: ${cluster.root}`);
    throw error;
  }
}

/** Cuts `node` and waits until its service runs elsewhere: the failover, the proof the master took, the parts. */
async function cutAndRecover(cluster: LocalCluster, node: string) {
  const sids = Object.keys(PLACEMENT).filter((sid) => cluster.runningOn(sid).includes(node));
  if (sids.length === 0) throw new Error(`No service runs on ${node}: nothing to fail over`);
  const cutWallMs = Date.now();
  cluster.cut(node);
  const observer = new DemoObserver(cluster, Object.keys(PLACEMENT), cutWallMs);
  const logs = new FenceLogReader((name) => cluster.localDir(name), NODES);
  observer.addSource(() => logs.read(node), { nodeViewsOf: node });
  const recoveries = await waitForRecoveries(cluster, { sids, from: node, sinceWallMs: cutWallMs, timeoutMs: RECOVERY_MS_MAX, onTick: () => observer.observe() });
  // The master logs its proof in the round it recovers, before the service starts: read once more to be sure.
  await new Promise((resolve) => setTimeout(resolve, 200));
  observer.observe();
  const figures = fencingFigures(orderStory(observer.noticed()), { node, wallMs: cutWallMs, sids });
  const parts = Object.fromEntries(figures.parts.map((part) => [part.part, part.durationMs]));
  return { cutWallMs, failoverMs: Math.max(...recoveries.map((recovery) => recovery.afterMs)), proof: figures.proof, parts };
}

async function waitForOnline(cluster: LocalCluster, node: string, sinceWallMs: number, bmcs: ClusterBmcs): Promise<void> {
  const status = new DirStatusStore(cluster.sharedDir);
  await pollUntil(`${node} powered on by its BMC and online again`, COMEBACK_MS_MAX, () => {
    const read = status.readManagerStatus();
    const isPoweredOn = bmcs.poweredOn().some((on) => on.node === node && on.wallMs >= sinceWallMs);
    return isPoweredOn && read.kind === 'ok' && read.value.nodeStatus[node] === 'online';
  }, 200);
}

function haManager(cluster: LocalCluster, args: readonly string[]): void {
  execFileSync(process.execPath, [resolve('bin/ha-manager'), ...args, '--dir', cluster.sharedDir], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 60_000 });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function printRun(figures: RunFigures, runs: number): void {
  const parts = FENCE_PART_NAMES.map((name) => `${name} ${figures.ipmi.parts[name] === undefined ? '-' : seconds(figures.ipmi.parts[name]!)}`).join(', ');
  console.log(`fencing run ${figures.run}/${runs}: IPMI ${seconds(figures.ipmi.failoverMs)} (proof ${figures.ipmi.proof ?? 'none'}), watchdog ${seconds(figures.watchdog.failoverMs)} (proof ${figures.watchdog.proof ?? 'none'}), overlaps ${figures.overlaps}`);
  console.log(`  IPMI parts: ${parts}`);
}

function buildDaemons(): 'dist' | 'tsx' {
  // The daemons run as in production, from JavaScript compiled now (as bench/cluster.ts does).
  if (process.env.HA_MANAGER_TSX === '1') return 'tsx';
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'ignore'] });
    process.env.HA_MANAGER_DIST = '1';
    return 'dist';
  } catch {
    return 'tsx'; // src/ does not compile right now: measure what runs
  }
}

function runsWanted(argv: readonly string[]): number {
  const index = argv.indexOf('--runs');
  if (index < 0) return 3;
  const runs = Number(argv[index + 1]);
  if (!Number.isInteger(runs) || runs < 1 || runs > RUNS_MAX) throw new Error(`--runs: expected a whole number from 1 to ${RUNS_MAX}, got '${argv[index + 1] ?? ''}'`);
  return runs;
}

const runs = runsWanted(process.argv.slice(2));
const daemonsFrom = buildDaemons();
console.log(`fencing bench: ${runs} runs; fence_timeout ${seconds(TIMING.leaseTimeoutMs)}, round ${seconds(TIMING.roundMs)}; daemons run from ${daemonsFrom}`);
const all: RunFigures[] = [];
for (let run = 1; run <= runs; run++) {
  const figures = await oneRun(run);
  printRun(figures, runs);
  all.push(figures);
}
const ipmiMs = all.map((figures) => figures.ipmi.failoverMs);
const watchdogMs = all.map((figures) => figures.watchdog.failoverMs);
console.log(`fencing: failover through IPMI: median ${seconds(median(ipmiMs))}, worst ${seconds(Math.max(...ipmiMs))} (bound ${seconds(IPMI_FAILOVER_MS_MAX)})`);
console.log(`fencing: failover through the watchdog path: median ${seconds(median(watchdogMs))}, worst ${seconds(Math.max(...watchdogMs))} (fence_timeout ${seconds(TIMING.leaseTimeoutMs)})`);
const partMedians = Object.fromEntries(FENCE_PART_NAMES.map((name) => [name, median(all.map((figures) => figures.ipmi.parts[name] ?? Number.NaN))]));
console.log(`fencing: IPMI parts, median: ${FENCE_PART_NAMES.map((name) => `${name} ${seconds(partMedians[name]!)}`).join(', ')}`);
console.log(JSON.stringify({ daemonsFrom, timing: TIMING, fencing: all }));
const problems = [
  ...all.filter((figures) => figures.ipmi.failoverMs > IPMI_FAILOVER_MS_MAX).map((figures) => `run ${figures.run}: IPMI failover ${seconds(figures.ipmi.failoverMs)} over ${seconds(IPMI_FAILOVER_MS_MAX)}`),
  ...all.filter((figures) => figures.ipmi.proof !== 'agent').map((figures) => `run ${figures.run}: node1 recovered on the ${figures.ipmi.proof ?? 'no'} proof, not the agent's`),
  ...all.filter((figures) => figures.overlaps > 0).map((figures) => `run ${figures.run}: ${figures.overlaps} overlaps`),
];
for (const problem of problems) console.log(`fencing: FAILED: ${problem}`);
if (problems.length > 0) process.exitCode = 1;
