import { assert } from '../common/assert.ts';
import type { ServiceStatus } from '../common/manager-status.ts';
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
 * Kept incrementally (each service's contribution is remembered and replaced on change), which is
 * exactly what recounting every service after every change would give, at a fraction of the cost.
 */
export class NodeUsage {
  private readonly online: ReadonlySet<string>;
  private readonly count = new Map<string, number>();
  private readonly usedCpu = new Map<string, number>();
  private readonly usedMem = new Map<string, number>();
  private readonly contributions = new Map<string, readonly string[]>();

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

  /** Nodes on which `status` puts load, given the online nodes. */
  contributionOf(status: ServiceStatus): string[] {
    const { state, node, target } = status;
    const targetOnline = target !== undefined && this.online.has(target);
    if (!this.online.has(node)) {
      return (state === 'migrate' || state === 'relocate') && targetOnline ? [target] : [];
    }
    switch (state) {
      case 'started':
      case 'request_stop':
      case 'fence':
      case 'freeze':
      case 'error':
      case 'recovery':
        return [node];
      case 'migrate':
      case 'relocate':
        return targetOnline ? [node, target] : [node];
      case 'request_start_balance':
        return targetOnline ? [target] : [];
      case 'stopped':
      case 'request_start':
        return [];
    }
  }

  /** Records (or replaces) the load of one service. */
  track(sid: string, status: ServiceStatus): void {
    this.untrack(sid);
    const nodes = this.contributionOf(status);
    if (nodes.length === 0) return;
    this.contributions.set(sid, nodes);
    for (const node of nodes) this.apply(sid, node, 1);
  }

  untrack(sid: string): void {
    const nodes = this.contributions.get(sid);
    if (!nodes) return;
    this.contributions.delete(sid);
    for (const node of nodes) this.apply(sid, node, -1);
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
