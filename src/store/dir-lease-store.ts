import { assert } from '../common/assert.ts';
import { LeaseCallClock, LeaseObservations } from './lease-observations.ts';
import { isProblem, LeaseDirectory, NODE_LEASE_FS, type FsProblem, type GenerationSeen, type LeaseFs } from './lease-directory.ts';
import {
  assertNodeName,
  assertRenewedAgo,
  type AcquireOutcome,
  type AdoptOutcome,
  type LeaseName,
  type LeaseStore,
  type LeaseInspection,
  type ReleaseOutcome,
} from './lease-store.ts';

export interface DirLeaseStoreOptions {
  /** `leases/` of the shared directory (sharedPaths(root).leases); it must exist. */
  readonly leasesPath: string;
  readonly node: string;
  readonly leaseTimeoutMs: number;
  /** Wall clock for the display-only `takenWallMs`/`wallMs` fields. */
  readonly wallClockMs?: () => number;
  /** Told why a call returned 'unavailable' or a best-effort cleanup failed (the ha:store log). */
  readonly onProblem?: (message: string) => void;
  readonly fs?: LeaseFs;
}

/** What this instance holds: its generation, the last counter it wrote, when it last renewed. */
interface HeldLease {
  readonly generation: number;
  counter: number;
  renewedMs: number;
  heartbeat: string | undefined;
}

/** What this instance last saw of a lease it does not hold, and since when (its own clock). */
/**
 * The `dir` lease store (docs/shared-dir.md): a generation is the directory `leases/<name>.<gen>`,
 * taken by mkdir; its holder replaces `heartbeat` atomically with a higher counter to renew, and writes
 * `released` to give it up. Every node runs its own instance: the observation memory below is what lets
 * a contender wait the full timeout on its own monotonic clock from its first look, without comparing
 * clocks between nodes.
 */
export class DirLeaseStore implements LeaseStore {
  readonly node: string;
  readonly leaseTimeoutMs: number;
  private readonly directory: LeaseDirectory;
  private readonly wallClockMs: () => number;
  private readonly onProblem: (message: string) => void;
  private readonly held = new Map<LeaseName, HeldLease>();
  private readonly observed: LeaseObservations;
  private readonly calls: LeaseCallClock;

  constructor(options: DirLeaseStoreOptions) {
    assertNodeName(options.node);
    assert(Number.isSafeInteger(options.leaseTimeoutMs) && options.leaseTimeoutMs > 0, `Lease timeout must be a positive integer, got ${options.leaseTimeoutMs}`);
    this.node = options.node;
    this.leaseTimeoutMs = options.leaseTimeoutMs;
    this.directory = new LeaseDirectory(options.leasesPath, options.fs ?? NODE_LEASE_FS);
    this.wallClockMs = options.wallClockMs ?? Date.now;
    this.onProblem = options.onProblem ?? (() => {});
    this.observed = new LeaseObservations(this.leaseTimeoutMs);
    this.calls = new LeaseCallClock(this.node);
  }

  acquire(name: LeaseName, nowMs: number): AcquireOutcome {
    this.checkCall(name, nowMs);
    const generations = this.directory.listGenerations(name);
    if (isProblem(generations)) return this.unavailable(generations);
    const current = generations.at(-1) ?? 0;
    const held = this.validHeld(name, current, nowMs);
    if (held) return this.renew(name, held, generations, nowMs);
    if (current === 0) return this.take(name, generations, nowMs);
    const seen = this.directory.readGeneration(name, current);
    if (isProblem(seen)) return this.unavailable(seen);
    return this.observe(name, current, seen, nowMs) ? this.take(name, generations, nowMs) : 'refused';
  }

  heldGeneration(name: LeaseName): number | undefined {
    return this.held.get(name)?.generation;
  }

  release(name: LeaseName, nowMs: number): ReleaseOutcome {
    this.checkCall(name, nowMs);
    const held = this.held.get(name);
    if (!held) return 'not-holder';
    const generations = this.directory.listGenerations(name);
    if (isProblem(generations)) return this.unavailable(generations);
    if (generations.at(-1) !== held.generation) {
      this.held.delete(name);
      return 'not-holder';
    }
    const written = this.directory.writeFile(name, held.generation, 'released', { node: this.node, wallMs: this.wallClockMs() });
    if (isProblem(written)) return this.releaseFailed(name, held, written, nowMs);
    this.held.delete(name);
    return 'released';
  }

  /**
   * A failed release write may have failed after its rename landed: the next two holders may then have
   * taken over and removed this generation before the write's directory fsync (seen with processes
   * racing). Successors while this lease was still within its timeout can only come from the marker.
   */
  private releaseFailed(name: LeaseName, held: HeldLease, problem: FsProblem, nowMs: number): ReleaseOutcome {
    const generations = this.directory.listGenerations(name);
    if (isProblem(generations) || (generations.at(-1) ?? 0) <= held.generation) return this.unavailable(problem);
    this.held.delete(name);
    return nowMs - held.renewedMs <= this.leaseTimeoutMs ? 'released' : 'not-holder';
  }

  inspect(name: LeaseName, nowMs: number): LeaseInspection | 'unavailable' {
    this.checkCall(name, nowMs);
    const generations = this.directory.listGenerations(name);
    if (isProblem(generations)) return this.unavailable(generations);
    const current = generations.at(-1) ?? 0;
    if (current === 0) return { generation: 0, holder: undefined, isReleased: false, isHeldByMe: false, mayTake: true };
    const held = this.validHeld(name, current, nowMs);
    const seen = this.directory.readGeneration(name, current);
    if (isProblem(seen)) return this.unavailable(seen);
    const isHeldByMe = held !== undefined;
    const mayTake = !isHeldByMe && this.observe(name, current, seen, nowMs);
    return { generation: current, holder: seen.holder, isReleased: seen.isReleased, isHeldByMe, mayTake };
  }

  /**
   * Takes up the current generation as this instance's when its holder file names this node and it is
   * not released, as renewed `renewedAgoMsMax` ago (see the port). The heartbeat's counter carries on,
   * so the next renewal writes a higher one.
   */
  adopt(name: LeaseName, nowMs: number, renewedAgoMsMax: number): AdoptOutcome {
    this.checkCall(name, nowMs);
    assertRenewedAgo(name, renewedAgoMsMax);
    if (renewedAgoMsMax > this.leaseTimeoutMs) return 'not-holder';
    const generations = this.directory.listGenerations(name);
    if (isProblem(generations)) return this.unavailable(generations);
    const current = generations.at(-1) ?? 0;
    if (current === 0) return 'not-holder';
    const seen = this.directory.readGeneration(name, current);
    if (isProblem(seen)) return this.unavailable(seen);
    if (seen.holder !== this.node || seen.isReleased) return 'not-holder';
    const renewedMs = nowMs - renewedAgoMsMax;
    const held = this.held.get(name);
    if (held?.generation === current) {
      held.renewedMs = Math.max(held.renewedMs, renewedMs);
      return 'adopted';
    }
    this.observed.forget(name);
    this.held.set(name, { generation: current, counter: counterOf(seen.heartbeat), renewedMs, heartbeat: seen.heartbeat });
    return 'adopted';
  }

  /**
   * The lease this instance holds and may renew now, or undefined. A higher generation means it was
   * lost; an own lease past the timeout is dropped, and counts as observed unchanged since its last
   * renewal, so this node may take it anew at once as any observer could.
   */
  private validHeld(name: LeaseName, current: number, nowMs: number): HeldLease | undefined {
    const held = this.held.get(name);
    if (!held) return undefined;
    if (held.generation === current && nowMs - held.renewedMs <= this.leaseTimeoutMs) return held;
    this.held.delete(name);
    if (held.generation === current) {
      this.observed.seenSince(name, versionOf(current, held.heartbeat), held.renewedMs);
    }
    return undefined;
  }

  /** Records what was seen; true when the lease is released or unchanged for longer than the timeout. */
  private observe(name: LeaseName, generation: number, seen: GenerationSeen, nowMs: number): boolean {
    if (seen.isReleased) return true;
    return this.observed.hasStayedUnchanged(name, versionOf(generation, seen.heartbeat), nowMs);
  }

  private renew(name: LeaseName, held: HeldLease, generations: number[], nowMs: number): AcquireOutcome {
    const counter = held.counter + 1;
    const written = this.directory.writeFile(name, held.generation, 'heartbeat', { counter, node: this.node, wallMs: this.wallClockMs() });
    if (isProblem(written)) return this.unavailable(written);
    held.counter = counter;
    held.renewedMs = nowMs;
    held.heartbeat = written;
    this.removeOldGenerations(name, generations, held.generation);
    return 'renewed';
  }

  /** mkdir of the next generation; the loser of a race gets EEXIST and is refused. */
  private take(name: LeaseName, generations: number[], nowMs: number): AcquireOutcome {
    const generation = (generations.at(-1) ?? 0) + 1;
    const made = this.directory.makeGeneration(name, generation);
    if (made === 'exists') return 'refused';
    if (isProblem(made)) return this.unavailable(made);
    const verdict = this.confirmTake(name, generation);
    if (verdict !== 'taken') return verdict;
    this.observed.forget(name);
    const held: HeldLease = { generation, counter: 0, renewedMs: nowMs, heartbeat: undefined };
    this.held.set(name, held);
    // The mkdir won the lease. Should a file write below fail, observers see the generation without a
    // heartbeat, which they time out like any other; the next renewal writes it.
    const holder = this.directory.writeFile(name, generation, 'holder', { node: this.node, takenWallMs: this.wallClockMs() });
    if (isProblem(holder)) this.onProblem(holder.problem);
    const heartbeat = this.directory.writeFile(name, generation, 'heartbeat', { counter: 1, node: this.node, wallMs: this.wallClockMs() });
    if (isProblem(heartbeat)) this.onProblem(heartbeat.problem);
    else Object.assign(held, { counter: 1, heartbeat });
    this.removeOldGenerations(name, generations, generation);
    return 'taken';
  }

  /**
   * A contender that stalled between its read and its mkdir may re-create a generation that the holders
   * since have removed (ABA): its mkdir succeeds but a higher generation exists. The current generation
   * is never removed, so a generation that is the highest right after its mkdir was made for the first
   * time and the take is real; otherwise the stale directory goes and the take is refused.
   */
  private confirmTake(name: LeaseName, generation: number): 'taken' | 'refused' | 'unavailable' {
    const generations = this.directory.listGenerations(name);
    if (isProblem(generations)) return this.unavailable(generations);
    if (generations.at(-1) === generation) return 'taken';
    const problem = this.directory.removeGeneration(name, generation);
    if (problem) this.onProblem(problem.problem);
    return 'refused';
  }

  /** Best effort: generations below current − 1 go; the one before stays for readers that listed late. */
  private removeOldGenerations(name: LeaseName, generations: number[], current: number): void {
    for (const generation of generations) {
      if (generation >= current - 1) break;
      const problem = this.directory.removeGeneration(name, generation);
      if (problem) this.onProblem(problem.problem);
    }
  }

  private unavailable(problem: FsProblem): 'unavailable' {
    this.onProblem(`Lease store of ${this.node}: ${problem.problem}`);
    return 'unavailable';
  }

  private checkCall(name: LeaseName, nowMs: number): void {
    this.calls.check(name, nowMs);
  }
}

/** A lease's version in a directory: its generation and the bytes of its heartbeat file. */
function versionOf(generation: number, heartbeat: string | undefined): string {
  return JSON.stringify([generation, heartbeat ?? null]);
}

/** The counter of a heartbeat file's bytes; 0 when missing or unreadable (the next write is 1). */
function counterOf(heartbeat: string | undefined): number {
  if (heartbeat === undefined) return 0;
  try {
    const counter: unknown = (JSON.parse(heartbeat) as { counter?: unknown } | null)?.counter;
    return Number.isSafeInteger(counter) && (counter as number) >= 0 ? (counter as number) : 0;
  } catch {
    return 0;
  }
}
