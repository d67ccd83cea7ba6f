import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Prng } from '../../src/common/prng.ts';
import { DirLeaseStore } from '../../src/store/dir-lease-store.ts';
import { MemoryLeaseBoard } from '../../src/store/memory-lease-store.ts';
import type { LeaseStore } from '../../src/store/lease-store.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';
import { EtcdLeaseStore } from '../../src/store/etcd/etcd-lease-store.ts';
import { withEtcdWorld, type EtcdWorld } from './etcd-harness.ts';
import { faultyFs, simHarness } from './lease-store-harnesses.ts';
import { runLeaseProperty, type PropertyWorld } from './lease-store.property.ts';

const TIMEOUT_MS = 1_000;
const NODES = ['n1', 'n2', 'n3', 'n4'];
/** HA_LEASE_SEED=<n> reruns one seed (printed by a failure) against both stores. */
const pinnedSeed = process.env.HA_LEASE_SEED === undefined ? undefined : Number(process.env.HA_LEASE_SEED);
const seeds = (count: number, base: number) => (pinnedSeed !== undefined ? [pinnedSeed] : Array.from({ length: count }, (_, index) => base + index));

function memoryWorld(isReference: boolean) {
  return (_prng: Prng): PropertyWorld => {
    const board = new MemoryLeaseBoard(TIMEOUT_MS);
    return {
      stores: NODES.map((node) => board.forNode(node)),
      clockOffsetsMs: NODES.map(() => 0),
      setBroken: (node, isBroken) => board.setReachable(node, !isBroken),
      ...(isReference ? {} : { setStaleReadDelay: (node: string, delayMs: number) => board.setVisibilityDelay(node, delayMs) }),
      isReference,
      cleanup: () => {},
    };
  };
}

/** The simulator's store through each node's face; with stale reads as the simulator's `stale` fault. */
function simWorld(isReference: boolean) {
  return (_prng: Prng): PropertyWorld => {
    const harness = simHarness(TIMEOUT_MS);
    return {
      stores: NODES.map((node) => harness.face(node, 0)),
      clockOffsetsMs: NODES.map(() => 0),
      setBroken: harness.setBroken,
      ...(isReference ? {} : { setStaleReadDelay: harness.setStaleReadDelay }),
      isReference,
      cleanup: () => {},
    };
  };
}

function dirWorld(prng: Prng): PropertyWorld {
  const root = mkdtempSync(join(tmpdir(), 'ha-lease-prop-'));
  const leasesPath = createSharedDirLayout(root).leases;
  const broken = new Set<string>();
  const stores: LeaseStore[] = NODES.map(
    (node) => new DirLeaseStore({ leasesPath, node, leaseTimeoutMs: TIMEOUT_MS, fs: faultyFs(() => broken.has(node)) }),
  );
  return {
    stores,
    // Every node's monotonic clock has its own origin: the dir store must never compare them.
    clockOffsetsMs: NODES.map(() => prng.int(2_000_000_000) - 1_000_000_000),
    setBroken: (node, isBroken) => void (isBroken ? broken.add(node) : broken.delete(node)),
    isReference: false,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Step kinds every family of runs must have exercised, so that a run that tests nothing fails. */
const MUST_EXERCISE = ['acquire:taken-after-expiry', 'acquire:taken-after-release', 'acquire:renewed', 'acquire:refused', 'acquire:unavailable', 'release:released', 'release:not-holder'];

function family(title: string, runSeeds: number[], steps: number, makeWorld: (prng: Prng) => PropertyWorld, extraKinds: string[] = []) {
  describe(title, () => {
    const totals: Record<string, number> = {};
    for (const seed of runSeeds) {
      it(`seed ${seed}, ${steps} steps`, () => {
        const counts = runLeaseProperty({ seed, steps, leaseTimeoutMs: TIMEOUT_MS, makeWorld });
        for (const [kind, count] of Object.entries(counts)) totals[kind] = (totals[kind] ?? 0) + count;
      });
    }
    it('the runs exercised takes after expiry and release, renewals, refusals and failures', function () {
      if (pinnedSeed !== undefined) this.skip();
      console.log(`      step counts: ${JSON.stringify(totals)}`);
      const missing = [...MUST_EXERCISE, ...extraKinds].filter((kind) => !totals[kind]);
      assert.deepEqual(missing, [], `step counts: ${JSON.stringify(totals)}`);
    });
  });
}

/** Lease stores on a real etcd, a fresh prefix per run, each node through its own cuttable proxy. */
function etcdWorld(world: () => EtcdWorld) {
  return (prng: Prng): PropertyWorld => {
    const keys = world().freshKeys();
    return {
      stores: NODES.map((node) => new EtcdLeaseStore({ client: world().client(node), keys, node, leaseTimeoutMs: TIMEOUT_MS })),
      // As for the dir store: every node's clock has its own origin, and etcd never compares them.
      clockOffsetsMs: NODES.map(() => prng.int(2_000_000_000) - 1_000_000_000),
      setBroken: (node, isBroken) => world().setBroken(node, isBroken),
      isReference: false,
      cleanup: () => NODES.forEach((node) => world().setBroken(node, false)),
    };
  };
}

describe('lease safety properties (seeded random interleavings)', () => {
  family('memory store, fresh reads: exactly the reference semantics', seeds(20, 1), 400, memoryWorld(true), ['acquire:renewed-at-deadline']);
  family('memory store with stale reads: safe', seeds(20, 101), 400, memoryWorld(false), ['stale']);
  family('dir store on a real directory, skewed clocks: safe', seeds(4, 201), 150, dirWorld);
  withEtcdWorld('on a real 3-member etcd', (world) => family('etcd store, skewed clocks, nodes cut off: safe', seeds(4, 501), 150, etcdWorld(world)), NODES);
  family('simulator store, fresh reads: exactly the reference semantics', seeds(10, 301), 400, simWorld(true), ['acquire:renewed-at-deadline']);
  family('simulator store with stale reads: safe', seeds(10, 401), 400, simWorld(false), ['stale']);

  it('the checker catches a store that takes too early, and names the seed', () => {
    const eager = (_prng: Prng): PropertyWorld => {
      const board = new MemoryLeaseBoard(TIMEOUT_MS / 2);
      return { ...memoryWorld(false)(_prng), stores: NODES.map((node) => board.forNode(node)) };
    };
    assert.throws(() => runLeaseProperty({ seed: 7, steps: 400, leaseTimeoutMs: TIMEOUT_MS, makeWorld: eager }), /^Error: Lease property failed with seed 7 .*/);
  });
});
