/**
 * Benchmark of a real 3-node cluster on this machine (src/cluster: real ha-crm, ha-lrm, muxes over
 * emulated watchdogs, `sim` services in real processes). Prints, for the fast profile (fence_timeout
 * 10 s) once and for the default timings (an ha.cfg that sets nothing: fence_timeout 60 s) three
 * times, each run on a fresh cluster:
 * - failover time: node cut from the shared storage → its service running on another node (ledger),
 *   beside the bound the timing rule and the round lengths give (failoverBoundMs);
 * - each daemon's RSS and idle CPU (all services running, nothing happening);
 * with the fast profile also the largest gap between keepalives while every core is saturated by busy
 * loops: daemon → mux (from the daemons' journals) and mux → device (from the emulators).
 *
 *   npm run bench                     scale.ts, then this
 *   node --import tsx bench/cluster.ts [fast|default|reference]...   those profiles
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { failoverBoundMs, isTimingProfileName, TIMING_PROFILES, type TimingProfileName } from '../src/cluster/cluster-config.ts';
import { waitForMaster, waitForPlacement, waitForRecoveries, waitForReset } from '../src/cluster/failover.ts';
import { LocalCluster } from '../src/cluster/local-cluster.ts';
import { emulatorFigures, idleFigures, largestKeepaliveGapMs, saturateCpus, type Daemon } from './cluster-figures.ts';

const PLACEMENT = { 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' };
/** The default profile's failover is the acceptance figure (≤ fence_timeout + 15 s): measured this many times. */
const RUNS: Readonly<Record<TimingProfileName, number>> = { fast: 1, default: 3, reference: 1 };
const SATURATION_MS = 15_000;

interface ProfileFigures {
  readonly profile: TimingProfileName;
  readonly run: number;
  readonly failoverMs: number;
  readonly failoverBoundMs: number;
  readonly fenceTimeoutMs: number;
  readonly resetAfterCutMs: number;
  readonly idle: Record<Daemon, { rssMib: number; cpuPercent: number }>;
  readonly saturated?: { busyLoops: number; daemonToMuxGapMs: number; muxToDeviceGapMs: number; resets: number };
  readonly overlaps: number;
}

async function runProfile(profile: TimingProfileName, run: number): Promise<ProfileFigures> {
  const timing = TIMING_PROFILES[profile];
  const roundsMs = (count: number) => count * timing.roundMs;
  const cluster = LocalCluster.create({ nodes: ['node1', 'node2', 'node3'], timing, resources: Object.entries(PLACEMENT).map(([sid, node]) => ({ sid, node })) });
  try {
    await cluster.startAll({ firstMaster: 'node2' });
    await waitForMaster(cluster, 60_000);
    await waitForPlacement(cluster, PLACEMENT, 30_000 + roundsMs(6));
    const saturated = profile === 'fast' ? await saturation(cluster) : undefined;
    const idle = await idleFigures(cluster, Math.max(10_000, roundsMs(3)));
    const cutWallMs = Date.now();
    cluster.cut('node1');
    const bound = failoverBoundMs(timing);
    const resetPromise = waitForReset(cluster, 'node1', cutWallMs, bound + 30_000);
    const [recovery] = await waitForRecoveries(cluster, { sids: ['vm:101'], from: 'node1', sinceWallMs: cutWallMs, timeoutMs: bound + 30_000 });
    const resetAfterCutMs = (await resetPromise) - cutWallMs;
    await cluster.stop();
    const muxToDeviceGapMs = Math.max(...cluster.spec.nodes.map((node) => emulatorFigures(cluster, node)?.largestGapMs ?? 0));
    return {
      profile, run, failoverMs: recovery!.afterMs, failoverBoundMs: bound, fenceTimeoutMs: timing.leaseTimeoutMs, resetAfterCutMs, idle,
      ...(saturated ? { saturated: { ...saturated, muxToDeviceGapMs } } : {}),
      overlaps: cluster.overlaps().length,
    };
  } finally {
    await cluster.stop();
    cluster.remove();
  }
}

/** Saturates every core with two busy loops each for SATURATION_MS; the largest daemon → mux keepalive gap in that window. */
async function saturation(cluster: LocalCluster): Promise<{ busyLoops: number; daemonToMuxGapMs: number; resets: number }> {
  const busyLoops = 2 * availableParallelism();
  const fromWallMs = Date.now();
  const stop = saturateCpus(busyLoops);
  await new Promise((resolve) => setTimeout(resolve, SATURATION_MS));
  await stop();
  const toWallMs = Date.now();
  const gaps = cluster.spec.nodes.flatMap((node) => [largestKeepaliveGapMs(cluster, node, 'lrm', fromWallMs, toWallMs), largestKeepaliveGapMs(cluster, node, 'crm', fromWallMs, toWallMs)]);
  return { busyLoops, daemonToMuxGapMs: Math.max(...gaps), resets: cluster.resets().length };
}

function print(figures: ProfileFigures): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const runs = RUNS[figures.profile] > 1 ? ` run ${figures.run}/${RUNS[figures.profile]}` : '';
  const within = figures.failoverMs <= figures.failoverBoundMs ? 'within' : 'OVER';
  console.log(
    `cluster ${figures.profile}${runs}: failover ${s(figures.failoverMs)} (${within} the bound ${s(figures.failoverBoundMs)}; fence_timeout ${s(figures.fenceTimeoutMs)}),` +
      ` cut node reset after ${s(figures.resetAfterCutMs)}, overlaps ${figures.overlaps}`,
  );
  for (const [daemon, idle] of Object.entries(figures.idle)) console.log(`  ${daemon.padEnd(8)} RSS ${idle.rssMib.toFixed(1).padStart(6)} MiB   idle CPU ${idle.cpuPercent.toFixed(1).padStart(5)} %`);
  const saturated = figures.saturated;
  if (saturated) {
    console.log(`  saturated (${saturated.busyLoops} busy loops, ${s(SATURATION_MS)}): largest keepalive gap daemon→mux ${saturated.daemonToMuxGapMs} ms, mux→device ${saturated.muxToDeviceGapMs} ms (whole run), resets ${saturated.resets}`);
  }
}

// The daemons run as in production, from JavaScript compiled now (bin/launcher.cjs), even while
// src/ is being edited by others; HA_MANAGER_TSX=1 measures them under tsx instead.
let daemonsFrom: 'tsx' | 'dist' = process.env.HA_MANAGER_TSX === '1' ? 'tsx' : 'dist';
if (daemonsFrom === 'dist') {
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'ignore'] });
    process.env.HA_MANAGER_DIST = '1';
  } catch {
    daemonsFrom = 'tsx'; // src/ does not compile right now: measure what runs
  }
}
console.log(`cluster bench: daemons run from ${daemonsFrom}`);
const wanted = process.argv.slice(2);
const profiles: TimingProfileName[] = wanted.length > 0 ? (wanted as TimingProfileName[]) : ['fast', 'default'];
for (const profile of profiles) {
  if (!isTimingProfileName(profile)) throw new Error(`Unknown profile '${profile}': use ${Object.keys(TIMING_PROFILES).join(', ')}`);
}
const all: ProfileFigures[] = [];
for (const profile of profiles) {
  for (let run = 1; run <= RUNS[profile]; run++) {
    const figures = await runProfile(profile, run);
    print(figures);
    all.push(figures);
  }
  const figures = all.filter((figure) => figure.profile === profile);
  if (figures.length > 1) {
    const list = figures.map((figure) => `${(figure.failoverMs / 1000).toFixed(1)} s`).join(', ');
    console.log(`cluster ${profile}: failovers ${list}; bound ${(figures[0]!.failoverBoundMs / 1000).toFixed(1)} s`);
  }
}
console.log(JSON.stringify({ daemonsFrom, cluster: all }));
