import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirLeaseStore } from '../../src/store/dir-lease-store.ts';
import { NODE_LEASE_FS, type LeaseFs } from '../../src/store/lease-directory.ts';
import { MemoryLeaseBoard } from '../../src/store/memory-lease-store.ts';
import type { LeaseName, LeaseStore } from '../../src/store/lease-store.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';
import { SimLeaseFace } from '../../src/sim/sim-lease-face.ts';
import { SimLeaseStore } from '../../src/sim/sim-store.ts';
import type { LeaseStoreHarness } from './lease-store.contract.ts';

/** Memory stores of one board; a broken node is unreachable. */
export function memoryHarness(leaseTimeoutMs: number): LeaseStoreHarness & { board: MemoryLeaseBoard } {
  const board = new MemoryLeaseBoard(leaseTimeoutMs);
  return {
    board,
    store: (node) => board.forNode(node),
    restart: (node) => board.forNode(node),
    setBroken: (node, isBroken) => board.setReachable(node, !isBroken),
    cleanup: () => {},
  };
}

/**
 * The simulator's store through each node's face. In the simulator a call happens at the simulated
 * time now; here the caller's `nowMs` (minus the node's clock offset) is that time, set before each
 * call. Stale reads per node, as the simulator's `stale` fault sets them.
 */
export function simHarness(leaseTimeoutMs: number): LeaseStoreHarness & { setStaleReadDelay(node: string, delayMs: number): void; face(node: string, offsetMs: number): LeaseStore } {
  const store = new SimLeaseStore(leaseTimeoutMs);
  const broken = new Set<string>();
  const staleMs = new Map<string, number>();
  const face = (node: string, offsetMs = 0): LeaseStore => {
    let simNowMs = 0;
    const inner = new SimLeaseFace(store, {
      node,
      simTimeMs: () => simNowMs,
      ownClockAt: (timeMs) => timeMs + offsetMs,
      staleMs: () => staleMs.get(node) ?? 0,
      isReachable: () => !broken.has(node),
    });
    const at = (nowMs: number) => (simNowMs = nowMs - offsetMs);
    return {
      node,
      leaseTimeoutMs,
      acquire: (name: LeaseName, nowMs: number) => (at(nowMs), inner.acquire(name, nowMs)),
      release: (name: LeaseName, nowMs: number) => (at(nowMs), inner.release(name, nowMs)),
      inspect: (name: LeaseName, nowMs: number) => (at(nowMs), inner.inspect(name, nowMs)),
      adopt: (name: LeaseName, nowMs: number, renewedAgoMsMax: number) => (at(nowMs), inner.adopt(name, nowMs, renewedAgoMsMax)),
      heldGeneration: (name: LeaseName) => inner.heldGeneration(name),
    };
  };
  return {
    face,
    store: (node) => face(node),
    restart: (node) => face(node),
    setBroken: (node, isBroken) => void (isBroken ? broken.add(node) : broken.delete(node)),
    setStaleReadDelay: (node, delayMs) => void staleMs.set(node, delayMs),
    cleanup: () => {},
  };
}

/** A LeaseFs whose every call throws `code` while `isBroken()` says so. */
export function faultyFs(isBroken: () => boolean, code = 'EIO'): LeaseFs {
  const fail = (call: string, path: string): never => {
    throw Object.assign(new Error(`${code}: injected fault, ${call} '${path}'`), { code });
  };
  return {
    readdirSync: (path) => (isBroken() ? fail('scandir', path) : NODE_LEASE_FS.readdirSync(path)),
    readFileSync: (path, encoding) => (isBroken() ? fail('open', path) : NODE_LEASE_FS.readFileSync(path, encoding)),
    lstatSync: (path, options) => (isBroken() ? fail('lstat', path) : NODE_LEASE_FS.lstatSync(path, options)),
    mkdirSync: (path) => (isBroken() ? fail('mkdir', path) : NODE_LEASE_FS.mkdirSync(path)),
    rmSync: (path, options) => (isBroken() ? fail('rm', path) : NODE_LEASE_FS.rmSync(path, options)),
    writeFileAtomic: (path, content) => (isBroken() ? fail('open', path) : NODE_LEASE_FS.writeFileAtomic(path, content)),
  };
}

/** Dir stores on a real temporary shared directory, one instance per node; a broken node gets EIO. */
export function dirHarness(leaseTimeoutMs: number): LeaseStoreHarness & { root: string; problems: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'ha-lease-'));
  const paths = createSharedDirLayout(root);
  const broken = new Set<string>();
  const problems: string[] = [];
  const store = (node: string) =>
    new DirLeaseStore({
      leasesPath: paths.leases,
      node,
      leaseTimeoutMs,
      fs: faultyFs(() => broken.has(node)),
      wallClockMs: () => 1_700_000_000_000,
      onProblem: (message) => problems.push(message),
    });
  return {
    root,
    problems,
    store,
    restart: store,
    setBroken: (node, isBroken) => {
      if (isBroken) broken.add(node);
      else broken.delete(node);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
