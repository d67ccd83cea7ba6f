import { Prng } from '../../src/common/prng.ts';
import { MANAGER_LEASE, type AcquireOutcome, type LeaseStore, type ReleaseOutcome } from '../../src/store/lease-store.ts';

/** One run's world: a store per node, with the faults this store can model. */
export interface PropertyWorld {
  readonly stores: readonly LeaseStore[];
  /** Each node's monotonic clock reads real time + this offset (0 where the store shares one time base). */
  readonly clockOffsetsMs: readonly number[];
  setBroken(node: string, isBroken: boolean): void;
  /** Stale reads of a node, if the store can model them (memory store). */
  setStaleReadDelay?(node: string, delayMs: number): void;
  /** True when every call of a healthy node with fresh reads must match the reference semantics exactly. */
  readonly isReference: boolean;
  cleanup(): void;
}

export interface PropertyRun {
  readonly seed: number;
  readonly steps: number;
  readonly leaseTimeoutMs: number;
  readonly makeWorld: (prng: Prng) => PropertyWorld;
}

/** The truth as the outcomes tell it: who took or renewed last, when (real time), and whether it was released. */
interface Oracle {
  holder: string | undefined;
  lastRenewalMs: number;
  isReleased: boolean;
}

interface Node {
  readonly store: LeaseStore;
  readonly offsetMs: number;
  /** Real time of this node's last successful take or renewal while it believes it holds the lease. */
  beliefMs: number | undefined;
  isBroken: boolean;
  staleDelayMs: number;
}

/**
 * Random interleavings of several contenders taking, renewing, releasing and inspecting one lease, with
 * slow renewals (time jumps to just inside or just outside the timeout), broken store access and stale
 * reads. After every step: at most one node holds a belief backed by a take/renewal within the timeout,
 * and no take happened before the previous holder's last renewal + timeout unless it released.
 * Throws an Error that starts with the seed and ends with the last steps.
 */
export function runLeaseProperty(run: PropertyRun): Record<string, number> {
  const counts: Record<string, number> = {};
  const prng = new Prng(run.seed);
  const world = run.makeWorld(prng.stream('world'));
  const choices = prng.stream('steps');
  const nodes: Node[] = world.stores.map((store, index) => ({ store, offsetMs: world.clockOffsetsMs[index] ?? 0, beliefMs: undefined, isBroken: false, staleDelayMs: 0 }));
  const oracle: Oracle = { holder: undefined, lastRenewalMs: 0, isReleased: false };
  const log: string[] = [];
  let nowMs = 0;
  try {
    for (let step = 0; step < run.steps; step++) {
      nowMs = nextTime(choices, nowMs, oracle, run.leaseTimeoutMs);
      const node = pickNode(choices, nodes, oracle);
      const done = act(choices, node, nowMs, world, oracle, run.leaseTimeoutMs);
      counts[done.kind] = (counts[done.kind] ?? 0) + 1;
      log.push(`${step} @${nowMs} ${node.store.node}: ${done.text}`);
      checkBeliefs(nodes, oracle, nowMs, run.leaseTimeoutMs);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Lease property failed with seed ${run.seed} (rerun: HA_LEASE_SEED=${run.seed}): ${message}\nlast steps:\n${log.slice(-15).join('\n')}`);
  } finally {
    world.cleanup();
  }
  return counts;
}

/** What a step did: a kind to count (e.g. 'acquire:taken-after-expiry') and a line for the failure log. */
interface Done {
  readonly kind: string;
  readonly text: string;
}

/** Half the steps go to the holder, so renewals are common; the rest to any node. */
function pickNode(prng: Prng, nodes: readonly Node[], oracle: Oracle): Node {
  const holder = nodes.find((node) => node.store.node === oracle.holder);
  if (holder && prng.int(2) === 0) return holder;
  return nodes[prng.int(nodes.length)]!;
}

/** Mostly short steps; sometimes a slow one, or one that lands exactly on the holder's deadline or one past it. */
function nextTime(prng: Prng, nowMs: number, oracle: Oracle, timeoutMs: number): number {
  const roll = prng.int(10);
  if (roll < 6) return nowMs + prng.int(timeoutMs / 4);
  if (roll < 8) return nowMs + timeoutMs / 2 + prng.int(timeoutMs);
  const deadlineMs = oracle.lastRenewalMs + timeoutMs + prng.int(2);
  return Math.max(nowMs, deadlineMs);
}

function act(prng: Prng, node: Node, nowMs: number, world: PropertyWorld, oracle: Oracle, timeoutMs: number): Done {
  const roll = prng.int(20);
  const name = node.store.node;
  if (node.isBroken && roll < 5) return toggleBroken(node, world);
  if (roll < 12) return acquire(node, nowMs, world, oracle, timeoutMs);
  if (roll < 14) return release(node, nowMs, oracle);
  if (roll < 16) return { kind: 'inspect', text: `inspect ${JSON.stringify(node.store.inspect(MANAGER_LEASE, nowMs + node.offsetMs))}` };
  if (roll < 18 || !world.setStaleReadDelay) return toggleBroken(node, world);
  node.staleDelayMs = prng.int(2) === 0 ? 0 : prng.int(timeoutMs);
  world.setStaleReadDelay(name, node.staleDelayMs);
  return { kind: 'stale', text: `reads ${node.staleDelayMs} ms stale` };
}

function toggleBroken(node: Node, world: PropertyWorld): Done {
  node.isBroken = !node.isBroken;
  world.setBroken(node.store.node, node.isBroken);
  return { kind: 'break', text: node.isBroken ? 'store access breaks' : 'store access repaired' };
}

function acquire(node: Node, nowMs: number, world: PropertyWorld, oracle: Oracle, timeoutMs: number): Done {
  const name = node.store.node;
  const outcome = node.store.acquire(MANAGER_LEASE, nowMs + node.offsetMs);
  const expected = referenceOutcome(name, nowMs, oracle, timeoutMs);
  if (node.isBroken && outcome !== 'unavailable') throw new Error(`${name} got '${outcome}' from a broken store`);
  if (!node.isBroken && outcome === 'unavailable') throw new Error(`${name} got 'unavailable' from a healthy store`);
  if (!node.isBroken && expected === 'renewed' && outcome !== 'renewed') throw new Error(`${name} holds the lease but got '${outcome}'`);
  const isFresh = !node.isBroken && node.staleDelayMs === 0;
  if (world.isReference && isFresh && outcome !== expected) throw new Error(`${name} got '${outcome}', the reference says '${expected}'`);
  if (!node.isBroken && oracle.isReleased && node.staleDelayMs === 0 && outcome !== 'taken') throw new Error(`${name} got '${outcome}' for a released lease`);
  const kind = `acquire:${outcome}${outcomeDetail(outcome, nowMs, oracle, timeoutMs)}`;
  applyAcquire(node, outcome, nowMs, oracle, timeoutMs);
  return { kind, text: `acquire → ${outcome} (reference: ${expected})` };
}

/** Sorts takes and renewals by the case they exercised, before the oracle moves on. */
function outcomeDetail(outcome: AcquireOutcome, nowMs: number, oracle: Oracle, timeoutMs: number): string {
  if (outcome === 'renewed' && nowMs - oracle.lastRenewalMs === timeoutMs) return '-at-deadline';
  if (outcome !== 'taken' || oracle.holder === undefined) return '';
  return oracle.isReleased ? '-after-release' : '-after-expiry';
}

function referenceOutcome(name: string, nowMs: number, oracle: Oracle, timeoutMs: number): AcquireOutcome {
  const isExpired = nowMs - oracle.lastRenewalMs > timeoutMs;
  if (oracle.holder === name && !oracle.isReleased && !isExpired) return 'renewed';
  if (oracle.holder === undefined || oracle.isReleased || isExpired) return 'taken';
  return 'refused';
}

function applyAcquire(node: Node, outcome: AcquireOutcome, nowMs: number, oracle: Oracle, timeoutMs: number): void {
  const name = node.store.node;
  if (outcome === 'taken') {
    const isFree = oracle.holder === undefined || oracle.isReleased || nowMs - oracle.lastRenewalMs > timeoutMs;
    if (!isFree) throw new Error(`${name} took the lease at ${nowMs}, before ${oracle.holder}'s last renewal at ${oracle.lastRenewalMs} + ${timeoutMs} ms`);
    Object.assign(oracle, { holder: name, lastRenewalMs: nowMs, isReleased: false });
    node.beliefMs = nowMs;
  } else if (outcome === 'renewed') {
    if (oracle.holder !== name || oracle.isReleased || nowMs - oracle.lastRenewalMs > timeoutMs) {
      throw new Error(`${name} renewed at ${nowMs}, but ${oracle.holder ?? 'nobody'} holds it (renewed ${oracle.lastRenewalMs}, released ${oracle.isReleased})`);
    }
    oracle.lastRenewalMs = nowMs;
    node.beliefMs = nowMs;
  } else if (outcome === 'refused') {
    node.beliefMs = undefined;
  }
}

function release(node: Node, nowMs: number, oracle: Oracle): Done {
  const name = node.store.node;
  const outcome: ReleaseOutcome = node.store.release(MANAGER_LEASE, nowMs + node.offsetMs);
  if (outcome === 'released') {
    if (oracle.holder !== name || oracle.isReleased) throw new Error(`${name} released a lease held by ${oracle.holder ?? 'nobody'}`);
    oracle.isReleased = true;
  }
  if (outcome !== 'unavailable') node.beliefMs = undefined;
  return { kind: `release:${outcome}`, text: `release → ${outcome}` };
}

function checkBeliefs(nodes: readonly Node[], oracle: Oracle, nowMs: number, timeoutMs: number): void {
  const believers = nodes.filter((node) => node.beliefMs !== undefined && nowMs - node.beliefMs <= timeoutMs).map((node) => node.store.node);
  if (believers.length > 1) throw new Error(`At ${nowMs} ${believers.join(' and ')} both hold the lease`);
  if (believers.length === 1 && (believers[0] !== oracle.holder || oracle.isReleased)) {
    throw new Error(`At ${nowMs} ${believers[0]} believes it holds a lease that ${oracle.holder ?? 'nobody'} holds (released ${oracle.isReleased})`);
  }
}
