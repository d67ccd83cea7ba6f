import { assert } from '../common/assert.ts';
import type { ServiceState } from '../common/states.ts';

/** Where a service is, as far as load goes. */
export interface Placement {
  readonly state: ServiceState;
  readonly node: string;
  readonly target?: string | undefined;
}
import type { NodeCapacity, ServiceSize } from '../common/ha-config.ts';
import { cpuAddedTo, staticScores, type StaticNodeLoad } from './static-score.ts';

/** Sizes for the static placement mode; absent means the basic mode (count services). */
export interface StaticSizing {
  readonly sizes: Readonly<Record<string, ServiceSize>>;
  readonly capacities: Readonly<Record<string, NodeCapacity>>;
}

const NO_SIZE: ServiceSize = { maxCpu: 0, maxMemBytes: 0 };

/**
 * The load the master's placement sees on each online node. A service counts where it puts load:
 * on its node while started, stopping, fenced, frozen, in error or recovering; on both ends of a
 * move; on the target of a balancing start; nowhere while stopped or about to start.
 *
 * Kept incrementally (a change removes the load of the placement before it and adds the one after),
 * which is exactly what recounting every service after every change gives, at a fraction of the cost.
 */
export class NodeUsage {
  private readonly online: ReadonlySet<string>;
  private readonly count = new Map<string, number>();
  private readonly usedCpu = new Map<string, number>();
  private readonly usedMem = new Map<string, number>();

  constructor(
    onlineNodes: readonly string[],
    private readonly sizing: StaticSizing | undefined,
  ) {
    this.online = new Set(onlineNodes);
    for (const node of onlineNodes) {
      this.count.set(node, 0);
      this.usedCpu.set(node, 0);
      this.usedMem.set(node, 0);
    }
  }

  isOnline(node: string): boolean {
    return this.online.has(node);
  }

  onlineNodes(): string[] {
    return [...this.online].sort();
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
    const { state, node, target } = placement;
    const isTargetOnline = target !== undefined && this.online.has(target);
    const isMove = state === 'migrate' || state === 'relocate';
    if (!this.online.has(node)) {
      if (isMove && isTargetOnline) this.apply(sid, target, sign);
      return;
    }
    switch (state) {
      case 'started':
      case 'request_stop':
      case 'fence':
      case 'freeze':
      case 'error':
      case 'recovery':
        this.apply(sid, node, sign);
        return;
      case 'migrate':
      case 'relocate':
        this.apply(sid, node, sign);
        if (isTargetOnline) this.apply(sid, target, sign);
        return;
      case 'request_start_balance':
        if (isTargetOnline) this.apply(sid, target, sign);
        return;
      case 'stopped':
      case 'request_start':
        return;
    }
  }

  serviceCount(node: string): number {
    return this.count.get(node) ?? 0;
  }

  /** True when placement uses static sizes: asked for, and every online node has a capacity. */
  isStatic(): boolean {
    if (!this.sizing) return false;
    for (const node of this.online) if (!this.sizing.capacities[node]) return false;
    return true;
  }

  /** Cost of putting `sid` on each online node; lower is better, equal costs go by name. */
  costs(sid: string): (node: string) => number {
    if (!this.isStatic()) return (node) => this.count.get(node) ?? 0;
    const size = this.sizing!.sizes[sid] ?? NO_SIZE;
    const scores = staticScores(this.staticLoads(), size.maxCpu, size.maxMemBytes);
    return (node) => -(scores.get(node) ?? 0);
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

  private apply(sid: string, node: string, sign: 1 | -1): void {
    const count = this.count.get(node);
    assert(count !== undefined, `Usage of ${sid} counted on ${node}, which is not online`);
    this.count.set(node, count + sign);
    assert(count + sign >= 0, `Usage of ${node} went negative removing ${sid}`);
    if (!this.sizing) return;
    const size = this.sizing.sizes[sid] ?? NO_SIZE;
    const cpus = this.sizing.capacities[node]?.cpus ?? 0;
    this.usedCpu.set(node, this.usedCpu.get(node)! + sign * cpuAddedTo(cpus, size.maxCpu));
    this.usedMem.set(node, this.usedMem.get(node)! + sign * size.maxMemBytes);
  }
}
