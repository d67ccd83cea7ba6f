import { assert } from '../common/assert.ts';
import { isValidNodeName, NODE_NAME_RULE } from '../common/node-name.ts';
import type { AgentLeaseTake } from '../env/env.ts';

/**
 * The lease store port: named leases that exactly one node holds at a time (DESIGN.md "Leases and the
 * fence", docs/shared-dir.md). One instance belongs to one node (`node`); it keeps that node's memory
 * of what it holds and of what it has observed, so two daemons of one node use two instances, and a
 * restarted daemon starts as a contender like any other node.
 *
 * Time: every call gets the caller's monotonic `nowMs`, sampled right before the call. Expiry never
 * compares clocks between nodes: a contender takes a lease that is not released only after it has
 * itself seen it unchanged for strictly more than `leaseTimeoutMs` since its first look; a holder
 * renews only while its own last successful take/renew is at most `leaseTimeoutMs` old.
 *
 * A renewal is a write that lands after `nowMs`; one that lands after a contender's last read lets that
 * contender take the lease while the holder believes it renewed. The caller excludes this: it counts a
 * call that returned more than `renewalMaxMs` after `nowMs` as failed and feeds its watchdog only after
 * a success it counted, so a holder that could renew that late was reset first (client timeout + device
 * timeout + renewal + drift < lease timeout, src/common/timing.ts).
 *
 * Holding is per instance or per node, as a store can: the dir store remembers what this instance took
 * (a restarted daemon is a contender until it adopts, see `adopt`); the memory store and the
 * simulator's, like Proxmox's cluster filesystem, know the holder as a node name, so a restarted daemon
 * of the holder's node renews at once (test/contract: trait `isHeldPerNode`).
 *
 * Locking: calls of one instance are synchronous and must not interleave; instances of different nodes
 * (processes, hosts) coordinate only through the store's compare-and-set (mkdir for `dir`).
 *
 * Failures: an unreachable or failing store (missing directory, EACCES, ENOSPC, EIO, no quorum) is the
 * value 'unavailable', never a thrown error; the holder keeps its belief until its last renewal is
 * older than the timeout. A thrown error is a bug (an AssertionError for a bad lease name or time).
 */
export interface LeaseStore {
  /** The node this instance acts for. */
  readonly node: string;
  readonly leaseTimeoutMs: number;
  /**
   * Takes or renews `name` for this node by compare-and-set: 'renewed' when this node holds it and
   * renewed it within the timeout; 'taken' when it was never taken, released, or expired as this node
   * observed it; 'refused' when another node holds it or this node lost it; 'unavailable' when the store
   * could not be read or written.
   */
  acquire(name: LeaseName, nowMs: number): AcquireOutcome;
  /**
   * Gives the lease up at once ('released'); 'not-holder' when this node does not hold the current
   * generation (never took it, or lost it). A holder whose lease has expired may still release it.
   */
  release(name: LeaseName, nowMs: number): ReleaseOutcome;
  /** What this node sees now; counts as an observation (a first look starts the expiry wait). */
  inspect(name: LeaseName, nowMs: number): LeaseInspection | 'unavailable';
  /**
   * The generation this instance holds by its own last take, renewal or adoption: what it wrote, not a
   * read (a holder knows its own writes even when its reads lag). Undefined when it holds none. No I/O.
   */
  heldGeneration(name: LeaseName): number | undefined;
  /**
   * Holds `name` from now on, without waiting for expiry, because this node's previous process held it
   * and renewed it at most `renewedAgoMsMax` before `nowMs` — the caller has the proof (the LRM: the
   * watchdog registration its predecessor left armed, fed only right after a renewal). 'adopted' when
   * the current generation's holder is this node and it is not released: this instance then holds it
   * as if it had renewed it itself `renewedAgoMsMax` ago, so it renews within the rest of the timeout
   * and no longer. Writes nothing: other nodes observe what they observed, and a contender's wait goes
   * on unchanged. 'not-holder' when the lease is free, released, another node's, or when
   * `renewedAgoMsMax` exceeds the lease timeout (nothing is left to adopt); 'unavailable' when the
   * store cannot be read. Idempotent; an instance that holds the lease already keeps its later renewal.
   */
  adopt(name: LeaseName, nowMs: number, renewedAgoMsMax: number): AdoptOutcome;
}

export type AcquireOutcome = 'taken' | 'renewed' | 'refused' | 'unavailable';
export type ReleaseOutcome = 'released' | 'not-holder' | 'unavailable';
export type AdoptOutcome = 'adopted' | 'not-holder' | 'unavailable';

/** A lease as one node sees it at one moment. */
export interface LeaseInspection {
  /** The current generation; 0 when the lease was never taken. Each take makes a higher one. */
  readonly generation: number;
  /** The node that took the current generation; undefined when none (or not written yet). */
  readonly holder: string | undefined;
  readonly isReleased: boolean;
  /** This instance holds the current generation and may renew it at this `nowMs`. */
  readonly isHeldByMe: boolean;
  /** `acquire` at this `nowMs` would take it (it is free, released, or expired as this node saw it). */
  readonly mayTake: boolean;
}

/**
 * Takes `node`'s agent lease (a master fencing it) and says what the take proves (AgentLeaseTake in
 * src/env/env.ts). One code path for the daemons and the simulator: a look right before the
 * compare-and-set tells whose generation it was. `isTaken`: this call made a new generation.
 */
export function takeAgentLease(store: LeaseStore, node: string, nowMs: () => number): { readonly take: AgentLeaseTake; readonly isTaken: boolean } {
  const name = agentLease(node);
  const before = store.inspect(name, nowMs());
  const outcome = store.acquire(name, nowMs());
  return { take: proofOfTake(node, before, outcome), isTaken: outcome === 'taken' };
}

/**
 * What a take proves, from what the taker saw of the lease right before its compare-and-set. The
 * node's own generation, not released, is one it held and stopped renewing for the whole lease timeout
 * as this taker saw it: its watchdog has reset it. Anything else was free (never taken, released) or
 * another taker's, which proves only that the node's LRM holds no lease. A take whose look failed
 * counts as free: it never proves more than it saw.
 */
function proofOfTake(node: string, before: LeaseInspection | 'unavailable', outcome: AcquireOutcome): AgentLeaseTake {
  if (outcome === 'renewed') return 'held';
  if (outcome !== 'taken') return 'refused';
  if (before === 'unavailable') return 'free';
  return before.generation > 0 && !before.isReleased && before.holder === node ? 'reset' : 'free';
}

/** `manager` or `agent.<node>` (docs/shared-dir.md). */
export type LeaseName = 'manager' | `agent.${string}`;

export const MANAGER_LEASE: LeaseName = 'manager';

export function agentLease(node: string): LeaseName {
  assertNodeName(node);
  return `agent.${node}`;
}

export function isValidLeaseName(name: string): name is LeaseName {
  if (name === MANAGER_LEASE) return true;
  return name.startsWith('agent.') && isValidNodeName(name.slice('agent.'.length));
}

export function assertNodeName(node: string): void {
  assert(isValidNodeName(node), `Bad node name '${node}': expected ${NODE_NAME_RULE}`);
}

/** Checks the bound `adopt` gets; a negative or fractional one is a bug of the caller. */
export function assertRenewedAgo(name: string, renewedAgoMsMax: number): void {
  assert(Number.isSafeInteger(renewedAgoMsMax) && renewedAgoMsMax >= 0, `Adopting '${name}' needs a non-negative integer renewedAgoMsMax, got ${renewedAgoMsMax}`);
}

/** Checks the arguments every store call gets; a bad one is a bug of the caller. */
export function assertLeaseCall(name: string, nowMs: number): void {
  assert(isValidLeaseName(name), `Bad lease name '${name}': expected 'manager' or 'agent.<node>'`);
  assert(Number.isSafeInteger(nowMs), `Lease call for '${name}' needs an integer nowMs, got ${nowMs}`);
}
