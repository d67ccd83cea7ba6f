import { compareNames } from '../common/compare-names.ts';
import { assert } from '../common/assert.ts';
import type { GroupConfig } from '../common/ha-config.ts';
import type { NodeUsage } from './node-usage.ts';

/**
 * How a node is chosen: `normal` keeps a service where it is when that is allowed; `next` skips the
 * nodes where it failed (relocate policy); `best` ignores stickiness (balancing before a start).
 */
export type SelectMode = 'normal' | 'next' | 'best';

export interface SelectRequest {
  readonly sid: string;
  readonly group: string | undefined;
  readonly currentNode: string;
  readonly mode: SelectMode;
  readonly failedNodes?: readonly string[] | undefined;
  readonly maintenanceFallback?: string | undefined;
}

interface PriorityClass {
  readonly nodes: readonly string[];
  readonly members: ReadonlySet<string>;
}

interface GroupClasses {
  /** Highest priority first; only online nodes. */
  readonly classes: readonly PriorityClass[];
  /** Every online candidate, whatever its class. */
  readonly candidates: ReadonlySet<string>;
  readonly nofailback: boolean;
}

const DEFAULT_GROUP_KEY = '\u0000all-online';

/**
 * Chooses nodes for services: the group's online members by priority (other online nodes at
 * priority -1 for an unrestricted group), then the least loaded, ties by name. A service without a
 * group, or with a group that does not exist, may run on any online node. The priority classes of a
 * group are computed once per manager round.
 */
export class NodeSelector {
  private readonly classCache = new Map<string, GroupClasses>();
  /** The classes of services without a group, the most common case, without a lookup. */
  private defaultClasses: GroupClasses | undefined;

  constructor(
    private readonly usage: NodeUsage,
    private readonly groups: Readonly<Record<string, GroupConfig>>,
  ) {}

  /**
   * Whether `select` in `normal` mode, with no maintenance fallback, keeps the service on
   * `currentNode` (what it answers for nearly every running service, every round): the same rules,
   * without building a request.
   */
  keepsCurrent(groupName: string | undefined, currentNode: string): boolean {
    const group = this.classesFor(groupName);
    const top = group.classes[0];
    if (!top) return false;
    return (group.nofailback && group.candidates.has(currentNode)) || top.members.has(currentNode);
  }

  select(request: SelectRequest): string | undefined {
    const group = this.classesFor(request.group);
    const top = group.classes[0];
    if (!top) return undefined;
    // Rule 1 of staying put (keepsCurrent has both): a nofailback group keeps a service on any candidate.
    if (request.mode === 'normal' && group.nofailback && group.candidates.has(request.currentNode)) {
      return request.currentNode;
    }
    let nodes = top.nodes;
    if (request.mode === 'next' && request.failedNodes && request.failedNodes.length > 0) {
      const failed = new Set(request.failedNodes);
      nodes = nodes.filter((node) => !failed.has(node));
    }
    const fallback = request.maintenanceFallback;
    if (fallback !== undefined && nodes.includes(fallback)) return fallback;
    // Rule 2 of staying put: the current node is in the top priority class.
    if (request.mode === 'normal' && top.members.has(request.currentNode)) return request.currentNode;
    if (nodes.length === 0) return undefined;
    const cost = this.usage.costs(request.sid);
    if (request.mode !== 'next') return cheapest(nodes, cost);
    const ranked = [...nodes].sort((a, b) => cost(a) - cost(b) || compareNames(a, b));
    const current = ranked.indexOf(request.currentNode);
    return current !== -1 && current < ranked.length - 1 ? ranked[current + 1] : ranked[0];
  }

  private classesFor(groupName: string | undefined): GroupClasses {
    if (groupName === undefined) return (this.defaultClasses ??= this.buildClasses(undefined));
    const config = this.groups[groupName];
    const key = config ? groupName : DEFAULT_GROUP_KEY;
    let classes = this.classCache.get(key);
    if (!classes) {
      classes = this.buildClasses(config);
      this.classCache.set(key, classes);
    }
    return classes;
  }

  private buildClasses(config: GroupConfig | undefined): GroupClasses {
    const online = this.usage.onlineNodes();
    const priorityOf = new Map<string, number>();
    if (config) {
      for (const [node, priority] of Object.entries(config.nodes)) {
        if (this.usage.isOnline(node)) priorityOf.set(node, priority);
      }
    } else {
      for (const node of online) priorityOf.set(node, 0);
    }
    if (config && !config.restricted) {
      for (const node of online) if (!priorityOf.has(node)) priorityOf.set(node, -1);
    }
    const priorities = [...new Set(priorityOf.values())].sort((a, b) => b - a);
    const classes = priorities.map((priority) => {
      const nodes = [...priorityOf].filter(([, p]) => p === priority).map(([node]) => node).sort(compareNames);
      return { nodes, members: new Set(nodes) };
    });
    assert(classes.every((c) => c.nodes.length > 0), 'Every priority class has a node');
    return { classes, candidates: new Set(priorityOf.keys()), nofailback: config?.nofailback ?? false };
  }
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
