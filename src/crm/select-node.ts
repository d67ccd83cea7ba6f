import { compareNames } from '../common/compare-names.ts';
import { assert } from '../common/assert.ts';
import type { NodeUsage } from './node-usage.ts';
import type { ServiceAffinity } from './rules/service-affinity.ts';

/**
 * How a node is chosen: `normal` keeps a service where it is when that is allowed; `next` skips the
 * nodes where it failed (relocate policy); `best` ignores stickiness (balancing before a start,
 * recovery). Proxmox calls them none, try-next and best-score.
 */
export type SelectMode = 'normal' | 'next' | 'best';

export interface SelectRequest {
  readonly sid: string;
  readonly currentNode: string;
  readonly mode: SelectMode;
  readonly failedNodes?: readonly string[] | undefined;
  readonly maintenanceFallback?: string | undefined;
}

/**
 * Chooses nodes for services by the HA rules, as Proxmox VE 9 does (README-5.2 §6.4): the online nodes
 * of the service's best node-affinity class, less those where a negative partner is, narrowed to the
 * node most positive partners are on; then the maintenance fallback, the current node, or the least
 * loaded (ties by name). A service without rules may run on any online node. One selector per manager
 * round: the usage and the online nodes are that round's.
 */
export class NodeSelector {
  constructor(
    private readonly usage: NodeUsage,
    private readonly affinity: ServiceAffinity,
    /** Whether the service moves back to a better node on its own (failback, README-5.2 §1.3). */
    private readonly failback: (sid: string) => boolean,
  ) {}

  /** The rules the selector applies, for callers that need their answers (commands, rebalancing). */
  get rules(): ServiceAffinity {
    return this.affinity;
  }

  /**
   * Whether `select` in `normal` mode, with no maintenance fallback, keeps the service on
   * `currentNode`: what it answers for nearly every running service, every round, so a service no
   * rule names is answered without building a request.
   */
  keepsCurrent(sid: string, currentNode: string): boolean {
    const rules = this.affinity.rulesOf(sid);
    if (rules === undefined) return this.usage.isOnline(currentNode);
    const { allowed, isPreferred } = this.affinity.classesOf(rules.nodeAffinity);
    if (isPreferred.size === 0) return false;
    // select's steps, without the sets and maps it builds (a few thousand services with rules, every round).
    const isSeparate = rules.negative.length > 0 && this.affinity.isSeparate(rules, currentNode);
    if (!this.failback(sid) && allowed.has(currentNode) && (!isSeparate || this.affinity.hasPartnerOn(rules, currentNode))) return true;
    if (!isPreferred.has(currentNode) || isSeparate) return false;
    if (rules.positive.length === 0) return true;
    return this.select({ sid, currentNode, mode: 'normal' }) === currentNode;
  }

  select(request: SelectRequest): string | undefined {
    const { sid, currentNode, mode } = request;
    const { allowed, preferred } = this.affinity.nodeClasses(sid);
    if (preferred.length === 0) return undefined;
    const separate = this.affinity.separateNodes(sid);
    const together = this.affinity.together(sid);
    // Stay where allowed without failback (Proxmox's old nofailback), unless a negative partner is
    // there and no positive one.
    if (mode === 'normal' && !this.failback(sid) && allowed.has(currentNode) && (together.has(currentNode) || !separate.has(currentNode))) {
      return currentNode;
    }
    let nodes = preferred;
    if (mode === 'next' && request.failedNodes && request.failedNodes.length > 0) {
      const failed = new Set(request.failedNodes);
      nodes = nodes.filter((node) => !failed.has(node));
    }
    if (separate.size > 0) nodes = nodes.filter((node) => !separate.has(node));
    nodes = withMostPartners(nodes, together);
    const fallback = request.maintenanceFallback;
    if (fallback !== undefined && nodes.includes(fallback)) return fallback;
    if (mode === 'normal' && nodes.includes(currentNode)) return currentNode;
    if (nodes.length === 0) return undefined;
    const cost = this.usage.costs(sid);
    if (mode !== 'next') return cheapest(nodes, cost);
    const ranked = [...nodes].sort((a, b) => cost(a) - cost(b) || compareNames(a, b));
    const current = ranked.indexOf(currentNode);
    return current !== -1 && current < ranked.length - 1 ? ranked[current + 1] : ranked[0];
  }
}

/**
 * Positive affinity: of the candidate nodes that positive partners occupy, the one with the most
 * (ties by name); the candidates unchanged when partners occupy none of them.
 */
function withMostPartners(nodes: readonly string[], together: ReadonlyMap<string, number>): readonly string[] {
  if (together.size === 0) return nodes;
  let best: string | undefined;
  let bestCount = 0;
  for (const node of nodes) {
    const count = together.get(node) ?? 0;
    if (count > bestCount) {
      best = node;
      bestCount = count;
    }
  }
  assert(best === undefined || nodes.includes(best), `Majority node ${best} is a candidate`);
  return best === undefined ? nodes : [best];
}

function cheapest(nodes: readonly string[], cost: (node: string) => number): string {
  let best = nodes[0]!;
  let bestCost = cost(best);
  for (let i = 1; i < nodes.length; i++) {
    const node = nodes[i]!;
    const nodeCost = cost(node);
    if (nodeCost < bestCost || (nodeCost === bestCost && compareNames(node, best) < 0)) {
      best = node;
      bestCost = nodeCost;
    }
  }
  return best;
}
