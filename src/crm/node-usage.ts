import { assert } from '../common/assert.ts';
import type { NodeCapacity, ServiceSize } from '../common/ha-config.ts';
import type { ServiceLoad } from '../common/lrm-status.ts';
import type { ServiceState } from '../common/states.ts';
import { cpuAddedTo, staticScores, type StaticNodeLoad } from './static-score.ts';

/** Where a service is, as far as load goes. */
export interface Placement {
  readonly state: ServiceState;
  readonly node: string;
  readonly target?: string | undefined;
  /** `started` only: its node's LRM reported it started since its last state change (README-5.2 §5). */
  readonly running?: boolean | undefined;
}

/**
 * Sizes for the static and dynamic placement modes; absent means the basic mode (count services).
 * `static` counts every service at its configured size; `dynamic` counts the measured use of the
 * nodes (`base`) plus the configured size of each service that is not running yet (README-5.2 §7.3).
 */
export interface StaticSizing {
  readonly mode?: 'static' | 'dynamic';
  readonly sizes: Readonly<Record<string, ServiceSize>>;
  readonly capacities: Readonly<Record<string, NodeCapacity>>;
  /** Dynamic: the measured use on each node of the configured services running there. */
  readonly base?: ReadonlyMap<string, ServiceLoad>;
  /** Dynamic: the measured use of each running service. */
  readonly loads?: ReadonlyMap<string, ServiceLoad>;
}

/** What the scheduler counts on: 'basic' when sizes were not asked for or a node lacks a capacity. */
export type UsageMode = 'basic' | 'static' | 'dynamic';

/** A node's capacity and use in the terms of the imbalance measure (README-5.2 §7.5). */
export interface BalanceNode {
  readonly node: string;
  readonly maxCpu: number;
  readonly maxMemBytes: number;
  readonly cpu: number;
  readonly memBytes: number;
}

const NO_LOAD: ServiceLoad = { cpu: 0, memBytes: 0 };

/** The online nodes a placement loads (one or two) and whether it counts as running (loadedNodes). */
interface Loaded {
  readonly first: string;
  readonly second: string | undefined;
  readonly isRunning: boolean;
}
const NOTHING: Loaded = { first: '', second: undefined, isRunning: false };

/**
 * The load the master's placement sees on each online node. A service counts where it puts load:
 * on its node while started, stopping, fenced, frozen, in error or recovering; on both ends of a
 * move; on the target of a balancing start; nowhere while stopped or about to start.
 *
 * Kept incrementally (a change removes the load of the placement before it and adds the one after),
 * which is exactly what recounting every service after every change gives, at a fraction of the cost.
 * With sizes, what each service added is remembered, so that removing it takes away exactly that.
 */
export class NodeUsage {
  private readonly online: ReadonlySet<string>;
  private readonly count = new Map<string, number>();
  private readonly usedCpu = new Map<string, number>();
  private readonly usedMem = new Map<string, number>();
  /** Sized modes: the services in the usage, and whether each counts only through the measured use (dynamic, running). */
  private readonly measuredFlags = new Map<string, boolean>();
  private readonly usageMode: UsageMode;

  constructor(
    onlineNodes: readonly string[],
    private readonly sizing: StaticSizing | undefined,
  ) {
    this.online = new Set(onlineNodes);
    this.usageMode = sizing && onlineNodes.every((node) => sizing.capacities[node]) ? (sizing.mode ?? 'static') : 'basic';
    for (const node of onlineNodes) {
      const base = this.usageMode === 'dynamic' ? (sizing!.base?.get(node) ?? NO_LOAD) : NO_LOAD;
      this.count.set(node, 0);
      this.usedCpu.set(node, base.cpu);
      this.usedMem.set(node, base.memBytes);
    }
  }

  isOnline(node: string): boolean {
    return this.online.has(node);
  }

  onlineNodes(): string[] {
    return [...this.online].sort();
  }

  mode(): UsageMode {
    return this.usageMode;
  }

  /** True when placement uses sizes (static or dynamic), i.e. every online node has a capacity. */
  isStatic(): boolean {
    return this.usageMode !== 'basic';
  }

  /** Adds the load of a service in its current placement. */
  add(sid: string, placement: Placement): void {
    this.applyPlacement(sid, placement, 1);
  }

  /** Moves a service's load from its placement before a change to the one after it. */
  replace(sid: string, before: Placement, after: Placement): void {
    this.applyPlacement(sid, before, -1);
    this.applyPlacement(sid, after, 1);
  }

  /** Applies `sign` times the load `placement` puts on the online nodes (see the class comment). */
  private applyPlacement(sid: string, placement: Placement, sign: 1 | -1): void {
    const loaded = this.loadedNodes(placement);
    if (loaded === NOTHING) return;
    const { first, second, isRunning } = loaded;
    this.addCount(sid, first, sign);
    if (second !== undefined) this.addCount(sid, second, sign);
    if (this.usageMode === 'basic') return;
    // Removing takes away what adding added: the same nodes, and the flag recorded then.
    const recorded = this.measuredFlags.get(sid);
    if (sign === -1) this.measuredFlags.delete(sid);
    const size = this.sizing!.sizes[sid];
    // A service without a size is left out of the sized usage (README-5.2 §1.6); so is one that loads nothing.
    if (size === undefined || (sign === -1 && recorded === undefined)) return;
    // Dynamic: a running service is in its node's measured use already.
    const isMeasured = sign === -1 ? recorded! : this.usageMode === 'dynamic' && isRunning;
    if (sign === 1) this.measuredFlags.set(sid, isMeasured);
    if (isMeasured) return;
    this.addLoad(first, sign * cpuAddedTo(this.sizing!.capacities[first]!.cpus, size.maxCpu), sign * size.maxMemBytes);
    if (second !== undefined) this.addLoad(second, sign * cpuAddedTo(this.sizing!.capacities[second]!.cpus, size.maxCpu), sign * size.maxMemBytes);
  }

  private addCount(sid: string, node: string, sign: 1 | -1): void {
    const count = this.count.get(node);
    assert(count !== undefined, `Usage of ${sid} counted on ${node}, which is not online`);
    assert(count + sign >= 0, `Usage of ${node} went negative removing ${sid}`);
    this.count.set(node, count + sign);
  }

  /**
   * The online nodes a placement loads, and whether it counts as running for the dynamic scheduler:
   * `started` when its LRM reported it started, any other state when it loads its current node.
   */
  private loadedNodes(placement: Placement): Loaded {
    const { state, node, target } = placement;
    const isTargetOnline = target !== undefined && this.online.has(target);
    const isMove = state === 'migrate' || state === 'relocate';
    if (!this.online.has(node)) return isMove && isTargetOnline ? { first: target, second: undefined, isRunning: false } : NOTHING;
    switch (state) {
      case 'started':
        return placement.running === true ? { first: node, second: undefined, isRunning: true } : { first: node, second: undefined, isRunning: false };
      case 'request_stop':
      case 'fence':
      case 'freeze':
      case 'error':
      case 'recovery':
        return { first: node, second: undefined, isRunning: true };
      case 'migrate':
      case 'relocate':
        return { first: node, second: isTargetOnline ? target : undefined, isRunning: true };
      case 'request_start_balance':
        return isTargetOnline ? { first: target, second: undefined, isRunning: false } : NOTHING;
      case 'stopped':
      case 'request_start':
        return NOTHING;
    }
  }

  private addLoad(node: string, cpu: number, memBytes: number): void {
    this.usedCpu.set(node, this.usedCpu.get(node)! + cpu);
    this.usedMem.set(node, this.usedMem.get(node)! + memBytes);
  }

  serviceCount(node: string): number {
    return this.count.get(node) ?? 0;
  }

  /** Whether the sized usage holds the service (sized, and loading an online node): auto-rebalancing moves only those. */
  holds(sid: string): boolean {
    return this.measuredFlags.has(sid);
  }

  /** Cost of putting `sid` on each online node; lower is better, equal costs go by name. */
  costs(sid: string): (node: string) => number {
    if (this.usageMode === 'basic') return (node) => this.count.get(node) ?? 0;
    const size = this.sizing!.sizes[sid];
    // A service without a size cannot be scored: every node scores the same, the name decides (README-5.2 §1.6).
    if (size === undefined) return () => 0;
    const scores = staticScores(this.staticLoads(), size.maxCpu, size.maxMemBytes);
    return (node) => -(scores.get(node) ?? 0);
  }

  /**
   * The nodes as the imbalance measure sees them, sorted by name: static, every service at its size;
   * dynamic, the measured use only (README-5.2 §7.3, §7.5). Undefined in basic mode.
   */
  balanceNodes(): BalanceNode[] | undefined {
    if (this.usageMode === 'basic') return undefined;
    return this.onlineNodes().map((node) => {
      const capacity = this.sizing!.capacities[node]!;
      const base = this.usageMode === 'dynamic' ? (this.sizing!.base?.get(node) ?? NO_LOAD) : undefined;
      return {
        node,
        maxCpu: capacity.cpus,
        maxMemBytes: capacity.memoryBytes,
        cpu: base ? base.cpu : this.usedCpu.get(node)!,
        memBytes: base ? base.memBytes : this.usedMem.get(node)!,
      };
    });
  }

  /** What moving a service takes from one node and adds to another: its size (static, CPU 0 stays 0), its measured use (dynamic). */
  moveLoad(sid: string): ServiceLoad {
    if (this.usageMode === 'dynamic') return this.sizing!.loads?.get(sid) ?? NO_LOAD;
    const size = this.sizing?.sizes[sid];
    return size ? { cpu: size.maxCpu, memBytes: size.maxMemBytes } : NO_LOAD;
  }

  private staticLoads(): StaticNodeLoad[] {
    return this.onlineNodes().map((node) => {
      const capacity = this.sizing!.capacities[node]!;
      return {
        node,
        cpus: capacity.cpus,
        memoryBytes: capacity.memoryBytes,
        usedCpu: this.usedCpu.get(node)!,
        usedMemBytes: this.usedMem.get(node)!,
      };
    });
  }
}
