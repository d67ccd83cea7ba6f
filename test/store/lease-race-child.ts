// A contender process for the dir-store race test: waits for `<root>/go`, then loops take → release
// on the manager lease until the generation reaches the target, and prints the generations it won.
// Prints `ready` first, so the parent can write `go` once every contender is waiting at the barrier.
// Usage: node --import tsx lease-race-child.ts <root> <node> <generationTarget>
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DirLeaseStore } from '../../src/store/dir-lease-store.ts';
import { MANAGER_LEASE } from '../../src/store/lease-store.ts';

/** Bounds the loop: far more attempts than a few hundred generations need among a few contenders. */
const ATTEMPTS_MAX = 200_000;
/** Bounds the start barrier: the parent writes `go` within a few seconds of spawning. */
const BARRIER_WAIT_MS_MAX = 30_000;

const [root, node, targetText] = process.argv.slice(2);
if (!root || !node || !targetText) throw new Error(`Usage: lease-race-child.ts <root> <node> <generationTarget>, got ${process.argv.slice(2).join(' ')}`);
const generationTarget = Number(targetText);
const store = new DirLeaseStore({ leasesPath: join(root, 'leases'), node, leaseTimeoutMs: 60_000 });

process.stdout.write('ready\n');
const barrierStartMs = Date.now();
const pause = new Int32Array(new SharedArrayBuffer(4));
while (!existsSync(join(root, 'go'))) {
  if (Date.now() - barrierStartMs > BARRIER_WAIT_MS_MAX) throw new Error(`${node}: no ${join(root, 'go')} after ${BARRIER_WAIT_MS_MAX} ms`);
  Atomics.wait(pause, 0, 0, 1);
}

// Time stands still (nowMs 0): nothing expires, a generation is free only once its holder released it.
const won: number[] = [];
const outcomes: Record<string, number> = {};
let generation = 0;
let attempts = 0;
while (generation < generationTarget) {
  if (++attempts > ATTEMPTS_MAX) throw new Error(`${node}: generation ${generation} after ${ATTEMPTS_MAX} attempts`);
  const outcome = store.acquire(MANAGER_LEASE, 0);
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  const seen = store.inspect(MANAGER_LEASE, 0);
  if (seen === 'unavailable') throw new Error(`${node}: store unavailable`);
  generation = seen.generation;
  if (outcome !== 'taken') continue;
  if (!seen.isHeldByMe || seen.holder !== node) throw new Error(`${node}: took the lease, but the current generation ${seen.generation} is held by ${seen.holder}`);
  won.push(seen.generation);
  if (store.release(MANAGER_LEASE, 0) !== 'released') throw new Error(`${node}: could not release generation ${seen.generation}`);
}
process.stdout.write(`${JSON.stringify({ node, won, outcomes })}\n`);
