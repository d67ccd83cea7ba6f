// Cost of the dir lease store's two hot calls: one renewal by the holder (list leases/, replace the
// heartbeat: temp file, fsync, rename, fsync dir) and one observation by a contender (list leases/,
// read heartbeat, stat released, read holder). Usage: node --import tsx bench/store-lease.ts [parentDir]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DirLeaseStore } from '../src/store/dir-lease-store.ts';
import { MANAGER_LEASE } from '../src/store/lease-store.ts';
import { createSharedDirLayout } from '../src/store/shared-dir.ts';

/** Enough samples for a stable median and p99 in a few seconds on a disk that fsyncs for real. */
const ITERATIONS = 2_000;

function measure(label: string, call: (index: number) => string, expected: string): void {
  const samplesUs: number[] = [];
  for (let index = 0; index < ITERATIONS; index++) {
    const startMs = performance.now();
    const outcome = call(index);
    samplesUs.push((performance.now() - startMs) * 1_000);
    if (outcome !== expected) throw new Error(`${label}: call ${index} returned '${outcome}', expected '${expected}'`);
  }
  samplesUs.sort((a, b) => a - b);
  const at = (fraction: number) => samplesUs[Math.min(samplesUs.length - 1, Math.floor(samplesUs.length * fraction))]!.toFixed(0);
  console.log(`${label.padEnd(34)} median ${at(0.5).padStart(6)} µs   p99 ${at(0.99).padStart(6)} µs   max ${at(1).padStart(6)} µs   (${ITERATIONS} calls)`);
}

const parent = process.argv[2] ?? tmpdir();
const root = mkdtempSync(join(parent, 'ha-bench-lease-'));
try {
  const leasesPath = createSharedDirLayout(root).leases;
  const holder = new DirLeaseStore({ leasesPath, node: 'node1', leaseTimeoutMs: 120_000 });
  const contender = new DirLeaseStore({ leasesPath, node: 'node2', leaseTimeoutMs: 120_000 });
  console.log(`dir lease store in ${root}`);
  if (holder.acquire(MANAGER_LEASE, 0) !== 'taken') throw new Error(`Could not take the manager lease in ${root}`);
  measure('renewal (holder acquire)', (index) => holder.acquire(MANAGER_LEASE, index + 1), 'renewed');
  measure('observation (contender acquire)', (index) => contender.acquire(MANAGER_LEASE, index + 1), 'refused');
  measure('inspection (contender inspect)', (index) => {
    const seen = contender.inspect(MANAGER_LEASE, ITERATIONS + index + 1);
    return seen === 'unavailable' ? seen : String(seen.holder);
  }, 'node1');
} finally {
  rmSync(root, { recursive: true, force: true });
}
