import { randomUUID } from 'node:crypto';
import { assert } from '../../common/assert.ts';
import {
  assertNodeName,
  assertRenewedAgo,
  type AcquireOutcome,
  type AdoptOutcome,
  type LeaseInspection,
  type LeaseName,
  type LeaseStore,
  type ReleaseOutcome,
} from '../lease-store.ts';
import type { GatewayFailure } from './etcd-gateway.ts';
import { LeaseCallClock, LeaseObservations } from '../lease-observations.ts';
import { isFailure, type EtcdKeys } from './etcd-keys.ts';
import { decodeLeaseRecord, type LeaseRecord } from './etcd-lease-record.ts';
import type { EtcdKvClient } from './etcd-sync-client.ts';
import type { EtcdKv, TxnResult } from './etcd-wire.ts';

export interface EtcdLeaseStoreOptions {
  readonly client: EtcdKvClient;
  readonly keys: EtcdKeys;
  readonly node: string;
  readonly leaseTimeoutMs: number;
  /** Wall clock for the display-only `wallMs` field. */
  readonly wallClockMs?: () => number;
  /** Told why a call returned 'unavailable' (the ha:store log). */
  readonly onProblem?: (message: string) => void;
}

/** What this instance holds: the generation, the mod revision its own last compare-and-set made, when. */
interface HeldLease {
  readonly generation: number;
  modRevision: number;
  counter: number;
  renewedMs: number;
}

/** What this instance last saw of a lease it does not hold (its mod revision; 0: absent), since when. */
/** A write whose answer did not come: its exact value (unique by the instance's nonce) may still land. */
interface UnconfirmedWrite {
  readonly text: string;
  readonly counter: number;
}

/**
 * The etcd lease store (DESIGN.md "The etcd store"): a lease is one plain key `<prefix>leases/<name>`
 * holding `{generation, holder, counter, released, wallMs, write}`, changed only by a txn that compares
 * its mod revision — never an etcd TTL lease, whose expiry runs on the etcd leader's clock.
 *
 * The same rules as the dir store: a contender takes only after it has itself seen the key's mod
 * revision unchanged for strictly more than the timeout, on its own clock, from its first look; a
 * holder renews by compare-and-set against the mod revision of its own last successful write, and
 * trusts nothing else — a read never makes it a holder. Holding is this instance's memory (as in the
 * dir store): a restarted daemon is a contender until it adopts.
 *
 * A write whose answer was lost (deadline, a rotation after the request had reached etcd) may land
 * later. Every value carries `write`, this instance's nonce and a sequence number, so the holder
 * recognises its own landed write by its exact bytes when its next compare fails, and carries on from
 * it; nobody else can have written those bytes. A take whose answer was lost is not claimed later: it
 * proves nothing the caller was told, and the lease simply expires like any unrenewed one.
 */
export class EtcdLeaseStore implements LeaseStore {
  readonly node: string;
  readonly leaseTimeoutMs: number;
  private readonly client: EtcdKvClient;
  private readonly keys: EtcdKeys;
  private readonly wallClockMs: () => number;
  private readonly onProblem: (message: string) => void;
  private readonly instance = randomUUID();
  private writeCount = 0;
  private readonly held = new Map<LeaseName, HeldLease>();
  private readonly observed: LeaseObservations;
  private readonly unconfirmed = new Map<LeaseName, UnconfirmedWrite>();
  private readonly calls: LeaseCallClock;

  constructor(options: EtcdLeaseStoreOptions) {
    assertNodeName(options.node);
    assert(Number.isSafeInteger(options.leaseTimeoutMs) && options.leaseTimeoutMs > 0, `Lease timeout must be a positive integer, got ${options.leaseTimeoutMs}`);
    this.node = options.node;
    this.leaseTimeoutMs = options.leaseTimeoutMs;
    this.client = options.client;
    this.keys = options.keys;
    this.wallClockMs = options.wallClockMs ?? Date.now;
    this.onProblem = options.onProblem ?? (() => {});
    this.observed = new LeaseObservations(this.leaseTimeoutMs);
    this.calls = new LeaseCallClock(this.node);
  }

  acquire(name: LeaseName, nowMs: number): AcquireOutcome {
    this.checkCall(name, nowMs);
    const held = this.validHeld(name, nowMs);
    if (held) return this.renew(name, held, nowMs);
    const seen = this.read(name);
    if (isFailure(seen)) return this.unavailable(seen);
    return this.observe(name, seen, nowMs) ? this.take(name, seen, nowMs) : 'refused';
  }

  heldGeneration(name: LeaseName): number | undefined {
    return this.held.get(name)?.generation;
  }

  release(name: LeaseName, nowMs: number): ReleaseOutcome {
    this.checkCall(name, nowMs);
    const held = this.held.get(name);
    if (!held) return 'not-holder';
    const written = this.writeHeld(name, held, { released: true });
    if (written === 'unavailable') return 'unavailable';
    this.held.delete(name);
    return written === 'written' ? 'released' : 'not-holder';
  }

  inspect(name: LeaseName, nowMs: number): LeaseInspection | 'unavailable' {
    this.checkCall(name, nowMs);
    const seen = this.read(name);
    if (isFailure(seen)) return this.unavailable(seen);
    const record = seen ? decodeLeaseRecord(seen) : undefined;
    const held = this.validHeld(name, nowMs);
    const isHeldByMe = held !== undefined && seen !== undefined && this.isOwnState(name, held, seen);
    if (held && !isHeldByMe) this.lose(name, seen);
    const mayTake = !isHeldByMe && this.observe(name, seen, nowMs);
    return { generation: record?.generation ?? 0, holder: record?.holder, isReleased: record?.isReleased ?? false, isHeldByMe, mayTake };
  }

  /** Holds the current generation when the key names this node and is not released (see the port). */
  adopt(name: LeaseName, nowMs: number, renewedAgoMsMax: number): AdoptOutcome {
    this.checkCall(name, nowMs);
    assertRenewedAgo(name, renewedAgoMsMax);
    if (renewedAgoMsMax > this.leaseTimeoutMs) return 'not-holder';
    const seen = this.read(name);
    if (isFailure(seen)) return this.unavailable(seen);
    const record = seen ? decodeLeaseRecord(seen) : undefined;
    if (!seen || !record || record.holder !== this.node || record.isReleased) return 'not-holder';
    const renewedMs = nowMs - renewedAgoMsMax;
    const held = this.held.get(name);
    if (held?.generation === record.generation && held.modRevision === seen.modRevision) {
      held.renewedMs = Math.max(held.renewedMs, renewedMs);
      return 'adopted';
    }
    this.observed.forget(name);
    this.held.set(name, { generation: record.generation, modRevision: seen.modRevision, counter: record.counter, renewedMs });
    return 'adopted';
  }

  /** The lease this instance holds and may renew now; an own lease past the timeout counts as observed since its last renewal. */
  private validHeld(name: LeaseName, nowMs: number): HeldLease | undefined {
    const held = this.held.get(name);
    if (!held) return undefined;
    if (nowMs - held.renewedMs <= this.leaseTimeoutMs) return held;
    this.held.delete(name);
    this.observed.seenSince(name, String(held.modRevision), held.renewedMs);
    return undefined;
  }

  /** The key still holds this instance's last write (its own compare-and-set, or one whose answer was lost). */
  private isOwnState(name: LeaseName, held: HeldLease, seen: EtcdKv): boolean {
    return seen.modRevision === held.modRevision || seen.value === this.unconfirmed.get(name)?.text;
  }

  private lose(name: LeaseName, seen: EtcdKv | undefined): void {
    this.held.delete(name);
    this.unconfirmed.delete(name);
    if (seen) this.onProblem(`Lease store of ${this.node}: lost ${name} (its key changed to mod revision ${seen.modRevision})`);
  }

  /** Records what was seen; true when the lease is free, released, or unchanged for longer than the timeout. */
  private observe(name: LeaseName, seen: EtcdKv | undefined, nowMs: number): boolean {
    if (seen === undefined) return true;
    if (decodeLeaseRecord(seen).isReleased) return true;
    return this.observed.hasStayedUnchanged(name, String(seen.modRevision), nowMs);
  }

  private renew(name: LeaseName, held: HeldLease, nowMs: number): AcquireOutcome {
    const written = this.writeHeld(name, held, { released: false });
    if (written === 'unavailable') return 'unavailable';
    if (written === 'lost') return 'refused';
    held.renewedMs = nowMs;
    return 'renewed';
  }

  /**
   * Writes the next counter of the held generation (renewed or released) by compare-and-set. When the
   * compare fails because a write of ours whose answer was lost landed meanwhile, one more
   * compare-and-set against that revision; any other change means the lease was lost.
   */
  private writeHeld(name: LeaseName, held: HeldLease, change: { readonly released: boolean }): 'written' | 'lost' | 'unavailable' {
    let current: EtcdKv | undefined;
    // Two attempts: the first may find our own landed write, the second is against it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const record: LeaseRecord = { generation: held.generation, holder: this.node, counter: held.counter + 1, isReleased: change.released };
      const outcome = this.compareAndSet(name, held.modRevision, record);
      if (outcome.kind === 'unavailable') return 'unavailable';
      if (outcome.kind === 'written') {
        Object.assign(held, { modRevision: outcome.modRevision, counter: record.counter });
        return 'written';
      }
      current = outcome.current;
      const unconfirmed = this.unconfirmed.get(name);
      if (current === undefined || current.value !== unconfirmed?.text) break;
      held.modRevision = current.modRevision;
      held.counter = unconfirmed.counter;
      this.unconfirmed.delete(name);
    }
    this.lose(name, current);
    return 'lost';
  }

  /** A new generation by compare-and-set against the revision this node watched expire (0: never taken). */
  private take(name: LeaseName, seen: EtcdKv | undefined, nowMs: number): AcquireOutcome {
    const generation = (seen ? decodeLeaseRecord(seen).generation : 0) + 1;
    const outcome = this.compareAndSet(name, seen?.modRevision ?? 0, { generation, holder: this.node, counter: 1, isReleased: false });
    if (outcome.kind === 'unavailable') return 'unavailable';
    if (outcome.kind === 'conflict') {
      this.observe(name, outcome.current, nowMs);
      return 'refused';
    }
    this.observed.forget(name);
    this.held.set(name, { generation, modRevision: outcome.modRevision, counter: 1, renewedMs: nowMs });
    return 'taken';
  }

  /**
   * One txn: compare the key's mod revision, put `record` on success, read the key on failure. A
   * failed compare whose current value is exactly what this call wrote is this call's own write landed
   * by an earlier attempt of the same call (the gateway rotated after the request reached etcd).
   */
  private compareAndSet(name: LeaseName, modRevision: number, record: LeaseRecord): { kind: 'written'; modRevision: number } | { kind: 'conflict'; current: EtcdKv | undefined } | { kind: 'unavailable' } {
    const key = this.keys.lease(name);
    const text = JSON.stringify({ ...record, wallMs: this.wallClockMs(), write: `${this.instance}.${++this.writeCount}` });
    const answer: TxnResult | GatewayFailure = this.client.txn({ compare: [{ key, modRevision }], success: [{ put: { key, value: text } }], failure: [{ range: { key } }] });
    if (isFailure(answer)) {
      this.unconfirmed.set(name, { text, counter: record.counter });
      this.unavailable(answer);
      return { kind: 'unavailable' };
    }
    if (answer.succeeded) {
      this.unconfirmed.delete(name);
      return { kind: 'written', modRevision: answer.revision };
    }
    const response = answer.responses[0];
    const current = response?.kind === 'range' ? response.range.kvs[0] : undefined;
    if (current?.value === text) return { kind: 'written', modRevision: current.modRevision };
    return { kind: 'conflict', current };
  }

  /** The lease's key now (linearizable: a majority agrees), undefined when it was never written. */
  private read(name: LeaseName): EtcdKv | undefined | GatewayFailure {
    const answer = this.client.range({ key: this.keys.lease(name) });
    if (isFailure(answer)) return answer;
    return answer.kvs[0];
  }

  private unavailable(failure: GatewayFailure): 'unavailable' {
    this.onProblem(`Lease store of ${this.node}: ${failure.message}`);
    return 'unavailable';
  }

  private checkCall(name: LeaseName, nowMs: number): void {
    this.calls.check(name, nowMs);
  }
}
