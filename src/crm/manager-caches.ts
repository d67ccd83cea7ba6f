import { assert } from '../common/assert.ts';
import { compareNames } from '../common/compare-names.ts';
import type { ServiceStatus } from '../common/manager-status.ts';
import type { ServiceTable } from '../common/service-table.ts';
import { NodeUsage, type Placement, type StaticSizing } from './node-usage.ts';

/** The usage kept from round to round, and what it was counted with. */
interface CarriedUsage {
  readonly usage: NodeUsage;
  readonly onlineKey: string;
  readonly sizing: StaticSizing | undefined;
  /** A state changed since it was counted (sized usage is then counted anew). */
  isTouched: boolean;
  readonly runningMarks: number;
}

/**
 * The master's performance caches over the services it manages, and the one place that knows when
 * each goes stale. A steady round at 8 nodes × 5,000 services must cost a few milliseconds, so the
 * manager does not sort, count or sync what has not changed; every change that could make a cache
 * wrong is one of the event methods below, called by the manager where the change happens:
 *
 * | cache                 | what it holds                         | made stale by                              |
 * |-----------------------|---------------------------------------|--------------------------------------------|
 * | sorted entries        | managed services in sid order         | `serviceAdded`, `serviceRemoved`           |
 * | fenced count          | services in `fence`                   | kept by `stateChanged`; recounted with usage |
 * | synced generation     | the config generation last synced     | a new generation (`isSyncedWith`)          |
 * | carried usage         | load per online node                  | `serviceAdded`/`Removed`, `nodesChanged`, another online set; sized: other sizes, a state change, other running marks |
 *
 * The carried usage is kept from round to round by `stateChanged`, which moves a service's load from
 * its placement before a change to the one after. Sized usage (static, dynamic) is counted anew after
 * any change (sums of fractional loads would drift) and whenever its sizes or the services' running
 * marks differ; a steady round reuses it.
 */
export class ManagerCaches {
  private sortedEntries: Array<readonly [string, ServiceStatus]> | undefined;
  private fencedCount = 0;
  private syncedGeneration: number | undefined;
  private carriedUsage: CarriedUsage | undefined;
  /** The usage of the round in progress (carried or counted for it). */
  private roundUsage: NodeUsage | undefined;

  constructor(private readonly services: ServiceTable) {}

  /** Managed services in sid order. */
  entries(): ReadonlyArray<readonly [string, ServiceStatus]> {
    this.sortedEntries ??= [...this.services].sort(([a], [b]) => compareNames(a, b));
    return this.sortedEntries;
  }

  /** Whether the managed services were synced with this config generation (undefined: never known). */
  isSyncedWith(generation: number | undefined): boolean {
    return generation !== undefined && generation === this.syncedGeneration;
  }

  syncedWith(generation: number | undefined): void {
    this.syncedGeneration = generation;
  }

  serviceAdded(): void {
    this.sortedEntries = undefined;
    this.carriedUsage = undefined;
  }

  serviceRemoved(): void {
    this.sortedEntries = undefined;
    this.carriedUsage = undefined;
  }

  /** Services changed node without a state change (arming after a disarm): the carried load is recounted. */
  nodesChanged(): void {
    this.carriedUsage = undefined;
  }

  /**
   * The load per online node at the start of a round: the carried one while the online nodes are the
   * same, else a recount of every service (which recounts the services in fence too).
   */
  usageForRound(online: readonly string[], sizing: StaticSizing | undefined): NodeUsage {
    const onlineKey = online.join('\n');
    const carried = this.carriedUsage;
    // Sized usage is reused only untouched (sums of fractional loads would drift), with the same sizes and running marks.
    const isSizedReusable = () => carried!.sizing === sizing && !carried!.isTouched && carried!.runningMarks === this.runningMarks();
    if (carried?.onlineKey === onlineKey && (sizing === undefined ? carried.sizing === undefined : isSizedReusable())) {
      this.roundUsage = carried.usage;
      return this.roundUsage;
    }
    const usage = new NodeUsage(online, sizing);
    this.fencedCount = 0;
    for (const [sid, status] of this.entries()) {
      usage.add(sid, status);
      if (status.state === 'fence') this.fencedCount++;
    }
    this.carriedUsage = { usage, onlineKey, sizing, isTouched: false, runningMarks: sizing === undefined ? 0 : this.runningMarks() };
    this.roundUsage = usage;
    return usage;
  }

  /** The usage of the round in progress. */
  currentUsage(): NodeUsage {
    assert(this.roundUsage !== undefined, 'No round in progress');
    return this.roundUsage;
  }

  /** A service changed state (and maybe node and target): its load moves, the fenced count follows. */
  stateChanged(sid: string, before: Placement, after: Placement): void {
    assert(this.roundUsage !== undefined, `State of ${sid} changed outside a round`);
    if (before.state === 'fence') this.fencedCount--;
    if (after.state === 'fence') this.fencedCount++;
    assert(this.fencedCount >= 0, `Fenced count went below zero at ${sid}`);
    this.roundUsage.replace(sid, before, after);
    if (this.carriedUsage) this.carriedUsage.isTouched = true;
  }

  /**
   * A fingerprint of the `running` marks (README-5.2 §5), which the dynamic usage depends on and a
   * handler sets without a state change: a sum over the marked services of a hash of their sorted
   * position (exact in a double for any service count the master can hold).
   */
  private runningMarks(): number {
    let sum = 0;
    const entries = this.entries();
    for (let index = 0; index < entries.length; index++) if (entries[index]![1].running) sum += Math.imul(index + 1, 0x9e3779b1) >>> 0;
    return sum;
  }

  /** Whether any service is in `fence`: the fencing step scans the services only then. */
  hasFencedServices(): boolean {
    return this.fencedCount > 0;
  }

  /** Whether the carried load equals a fresh count of every service (a check for tests and the swarm). */
  usageMatchesRecount(online: readonly string[]): boolean {
    const carried = this.carriedUsage?.usage;
    if (!carried) return true; // nothing carried: static placement, or not counted yet
    const recount = new NodeUsage(online, undefined);
    let fenced = 0;
    for (const [sid, status] of this.entries()) {
      recount.add(sid, status);
      if (status.state === 'fence') fenced++;
    }
    return fenced === this.fencedCount && online.every((node) => carried.serviceCount(node) === recount.serviceCount(node));
  }
}
