// A master round's store work with 100 nodes × 10,000 services, on etcd vs the dir store (issue 12,
// `npm run bench`): what one master round reads and writes through the ClusterStore — renew the
// manager lease, inspect the 99 other agent leases, read the 100 LRM statuses, write the manager status
// (a few services changed, as in a steady round), take the queued commands — timed per round, with the
// bytes the manager status write puts into the store and the largest value stored. The round is built
// from the ports (not the CRM's decisions, which cost the same on either store: bench/scale.ts times
// them). A real 3-member etcd on loopback is started here and stopped after; the dir store is a local
// temporary directory. Prints a table, then one JSON line; exits 1 when a figure is over its target.
//   node --import tsx bench/store-round.ts [--rounds N]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalEtcdCluster } from '../src/cluster/etcd-members.ts';
import type { LrmStatus } from '../src/common/lrm-status.ts';
import { newServiceStatus, type ManagerStatus, type ServiceStatus } from '../src/common/manager-status.ts';
import { ServiceTable } from '../src/common/service-table.ts';
import { DEFAULT_TIMING } from '../src/common/timing.ts';
import type { ClusterStore } from '../src/store/cluster-store.ts';
import { DirClusterStore } from '../src/store/dir-cluster-store.ts';
import { EtcdClusterStore } from '../src/store/etcd/etcd-cluster-store.ts';
import { agentLease, MANAGER_LEASE, type LeaseStore } from '../src/store/lease-store.ts';

const NODES = 100;
const SERVICES = 10_000;
/** Services whose status a steady round changes (a few moves and restarts). */
const CHANGED_PER_ROUND = 20;
const roundsArg = process.argv.indexOf('--rounds');
/** Enough rounds for a median and a p99 that mean something, in well under a minute per store. */
const ROUNDS = roundsArg === -1 ? 40 : Number(process.argv[roundsArg + 1]);
/** Rounds before the measured ones: the JIT, the page cache and etcd's first compactions settle. */
const WARMUP_ROUNDS = 3;
/** Target: the store work of a master round fits in the default round (fence_timeout 60 s). */
const ROUND_P99_MS_TARGET = DEFAULT_TIMING.roundMs;
/** Target: no value comes near etcd's 1.5 MiB request limit. */
const LARGEST_VALUE_BYTES_TARGET = 1024 * 1024;

const nodeName = (index: number) => `node${String(index).padStart(3, '0')}`;

interface StoreFigures {
  readonly roundMedianMs: number;
  readonly roundP99Ms: number;
  readonly managerStatusBytesPerRound: number;
  readonly largestValueBytes: number;
}

function managerStatusAt(round: number, services: Map<string, ServiceStatus>): ManagerStatus {
  for (let change = 0; change < CHANGED_PER_ROUND; change++) {
    const index = (round * CHANGED_PER_ROUND + change) % SERVICES;
    services.set(`vm:${1000 + index}`, newServiceStatus('started', nodeName((index + round) % NODES), `u${round.toString(36)}x${index.toString(36)}`));
  }
  const nodeStatus = Object.fromEntries(Array.from({ length: NODES }, (_, index) => [nodeName(index), 'online' as const]));
  return { masterNode: nodeName(0), nodeStatus, serviceStatus: ServiceTable.from(services), nodeRequest: {}, timestampMs: 1_700_000_000_000 + round, version: { lease: 1, round } };
}

function lrmStatusOf(node: number): LrmStatus {
  const results = new Map<string, { sid: string; request: string; result: number }>();
  for (let index = node; index < SERVICES; index += NODES) results.set(`u0x${index.toString(36)}`, { sid: `vm:${1000 + index}`, request: 'started', result: 0 });
  return { state: 'active', mode: 'active', results, timestampMs: 1_700_000_000_000 } as LrmStatus;
}

/** The cluster before the rounds: every node's LRM holds its agent lease and has published its status. */
function setUpCluster(store: ClusterStore): { manager: LeaseStore; services: Map<string, ServiceStatus>; lrmBytesMax: number } {
  if (store.setUp() !== 'ready') throw new Error(`${store.where}: cannot set up the store`);
  const leaseTimeoutMs = DEFAULT_TIMING.leaseTimeoutMs;
  let lrmBytesMax = 0;
  for (let index = 0; index < NODES; index++) {
    const node = nodeName(index);
    const taken = store.leaseStore({ node, leaseTimeoutMs }).acquire(agentLease(node), 0);
    if (taken !== 'taken') throw new Error(`${store.where}: ${node} could not take its agent lease: ${taken}`);
    const status = lrmStatusOf(index);
    const written = store.status.writeLrmStatus(node, status);
    if (written.kind !== 'written') throw new Error(`${store.where}: LRM status of ${node}: ${written.message}`);
    lrmBytesMax = Math.max(lrmBytesMax, JSON.stringify(Object.fromEntries(status.results)).length);
  }
  const manager = store.leaseStore({ node: nodeName(0), leaseTimeoutMs });
  if (manager.acquire(MANAGER_LEASE, 0) !== 'taken') throw new Error(`${store.where}: the master could not take the manager lease`);
  const services = new Map<string, ServiceStatus>();
  for (let index = 0; index < SERVICES; index++) services.set(`vm:${1000 + index}`, newServiceStatus('started', nodeName(index % NODES), `u0x${index.toString(36)}`));
  return { manager, services, lrmBytesMax };
}

/** One master round through the store; throws when a call does not answer as a healthy store does. */
function masterRound(store: ClusterStore, manager: LeaseStore, status: ManagerStatus, nowMs: number): void {
  const renewed = manager.acquire(MANAGER_LEASE, nowMs);
  if (renewed !== 'renewed') throw new Error(`${store.where}: manager lease ${renewed}`);
  for (let index = 1; index < NODES; index++) {
    const seen = manager.inspect(agentLease(nodeName(index)), nowMs);
    if (seen === 'unavailable' || seen.isHeldByMe) throw new Error(`${store.where}: agent lease of ${nodeName(index)}: ${JSON.stringify(seen)}`);
  }
  for (let index = 0; index < NODES; index++) {
    const read = store.status.readLrmStatus(nodeName(index));
    if (read.kind !== 'ok') throw new Error(`${store.where}: LRM status of ${nodeName(index)}: ${read.kind}`);
  }
  const written = store.status.writeManagerStatus(status);
  if (written.kind !== 'written') throw new Error(`${store.where}: manager status: ${written.message}`);
  const taken = store.commands.take();
  if (!Array.isArray(taken)) throw new Error(`${store.where}: commands: ${(taken as { message: string }).message}`);
}

function benchStore(label: string, store: ClusterStore, writtenBytes: () => { bytes: number; largest: number }): StoreFigures {
  const { manager, services, lrmBytesMax } = setUpCluster(store);
  const samplesMs: number[] = [];
  let bytes = 0;
  let largest = lrmBytesMax;
  const startedMs = performance.now();
  for (let round = 1; round <= WARMUP_ROUNDS + ROUNDS; round++) {
    const status = managerStatusAt(round, services);
    const nowMs = Math.ceil(performance.now() - startedMs) + round;
    const roundStartMs = performance.now();
    masterRound(store, manager, status, nowMs);
    const roundMs = performance.now() - roundStartMs;
    if (round <= WARMUP_ROUNDS) continue;
    samplesMs.push(roundMs);
    const written = writtenBytes();
    bytes += written.bytes;
    largest = Math.max(largest, written.largest);
  }
  samplesMs.sort((a, b) => a - b);
  const at = (fraction: number) => samplesMs[Math.min(samplesMs.length - 1, Math.floor(samplesMs.length * fraction))]!;
  const figures = { roundMedianMs: round3(at(0.5)), roundP99Ms: round3(at(0.99)), managerStatusBytesPerRound: Math.round(bytes / ROUNDS), largestValueBytes: largest };
  console.log(
    `${label.padEnd(6)} round median ${at(0.5).toFixed(1).padStart(7)} ms   p99 ${at(0.99).toFixed(1).padStart(7)} ms   ` +
      `manager status written ${(figures.managerStatusBytesPerRound / 1024).toFixed(1).padStart(8)} KiB/round   largest value ${(largest / 1024).toFixed(1).padStart(8)} KiB   (${ROUNDS} rounds)`,
  );
  return figures;
}

function round3(value: number): number {
  return Number(value.toFixed(3));
}

function benchDir(): StoreFigures {
  const root = mkdtempSync(join(tmpdir(), 'ha-bench-round-'));
  const store = new DirClusterStore(root, { waitMsMax: 0 });
  try {
    // The dir store rewrites status/manager.json whole every round: that file is what it writes, and its largest value.
    return benchStore('dir', store, () => {
      const size = statSync(store.paths.managerStatus).size;
      return { bytes: size, largest: size };
    });
  } finally {
    store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

async function benchEtcd(): Promise<StoreFigures> {
  const cluster = await LocalEtcdCluster.start();
  const store = new EtcdClusterStore({ endpoints: cluster.endpoints }, cluster.prefix);
  try {
    return benchStore('etcd', store, () => {
      const stats = store.status.lastManagerWrite;
      if (stats === undefined) throw new Error('etcd: no manager status write recorded');
      return { bytes: stats.bytesWritten, largest: stats.largestValueBytes };
    });
  } finally {
    store.close();
    await cluster.stop();
  }
}

console.log(`master round through the store: ${NODES} nodes × ${SERVICES} services, ${CHANGED_PER_ROUND} services changed per round`);
const figures = { dir: benchDir(), etcd: await benchEtcd() };
console.log(JSON.stringify({ bench: 'store-round', nodes: NODES, services: SERVICES, rounds: ROUNDS, figures, targets: { roundP99Ms: ROUND_P99_MS_TARGET, largestValueBytes: LARGEST_VALUE_BYTES_TARGET } }));
const over = Object.entries(figures).flatMap(([store, figure]) => [
  ...(figure.roundP99Ms > ROUND_P99_MS_TARGET ? [`${store}: round p99 ${figure.roundP99Ms} ms over the target ${ROUND_P99_MS_TARGET} ms`] : []),
  ...(store === 'etcd' && figure.largestValueBytes > LARGEST_VALUE_BYTES_TARGET ? [`${store}: largest value ${figure.largestValueBytes} B over the target ${LARGEST_VALUE_BYTES_TARGET} B`] : []),
]);
for (const line of over) console.error(`OVER TARGET: ${line}`);
process.exitCode = over.length > 0 ? 1 : 0;
