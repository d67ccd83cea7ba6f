import { assert } from '../../common/assert.ts';
import type { ServiceState } from '../../common/states.ts';
import type { Placement } from '../node-usage.ts';
import type { AffinityView } from './affinity-view.ts';
import type { CompiledRules } from './compile-rules.ts';

/** The nodes a service may run on now, and those of its best priority class (README-5.2 §6.4 step 1). */
export interface NodeClasses {
  /** Online nodes of its rule, any priority (every online node without a rule). */
  readonly allowed: ReadonlySet<string>;
  /** Online nodes of the highest priority among `allowed`, sorted by name. */
  readonly preferred: readonly string[];
}

/** States in which a service puts load on its current node (README-5.2 §7.1). */
const LOADS_CURRENT: ReadonlySet<ServiceState> = new Set(['started', 'request_stop', 'fence', 'freeze', 'error', 'recovery', 'migrate', 'relocate']);
/** States in which a service puts load on its target. */
const LOADS_TARGET: ReadonlySet<ServiceState> = new Set(['migrate', 'relocate', 'request_start_balance']);

/**
 * What the compiled rules say about one service at this moment of a manager round: its node classes
 * from node affinity, and from resource affinity the nodes its partners occupy (README-5.2 §6.3).
 * Partners are looked up live, so a service placed earlier in the round counts for the next. Node
 * classes are computed once per rule per round (the online nodes do not change within a round).
 */
export class ServiceAffinity implements AffinityView {
  private readonly online: ReadonlySet<string>;
  private readonly classCache = new Map<object, NodeClasses>();
  private readonly unrestricted: NodeClasses;

  constructor(
    private readonly rules: CompiledRules,
    onlineNodes: readonly string[],
    /** A managed service's placement; undefined for one the master does not manage. */
    private readonly managed: (sid: string) => Placement | undefined,
  ) {
    const sorted = [...onlineNodes].sort();
    this.online = new Set(sorted);
    this.unrestricted = { allowed: this.online, preferred: sorted };
  }

  /** True when no rule names the service: every online node is as good as another. */
  isUnconstrained(sid: string): boolean {
    return !this.rules.nodeAffinity.has(sid) && !this.rules.positive.has(sid) && !this.rules.negative.has(sid);
  }

  nodeClasses(sid: string): NodeClasses {
    const rule = this.rules.nodeAffinity.get(sid);
    if (rule === undefined) return this.unrestricted;
    let classes = this.classCache.get(rule);
    if (classes === undefined) {
      const allowed = new Map<string, number>();
      for (const [node, priority] of rule.nodes) if (this.online.has(node)) allowed.set(node, priority);
      const top = Math.max(...allowed.values());
      const preferred = [...allowed].filter(([, priority]) => priority === top).map(([node]) => node).sort();
      classes = { allowed: new Set(allowed.keys()), preferred };
      assert(preferred.length > 0 || allowed.size === 0, `Rule ${rule.ruleId} has allowed nodes but no preferred one`);
      this.classCache.set(rule, classes);
    }
    return classes;
  }

  preferredNodes(sid: string): readonly string[] {
    return this.nodeClasses(sid).preferred;
  }

  positivePartners(sid: string): readonly string[] {
    return this.rules.positive.get(sid) ?? [];
  }

  /** How many positive partners load each online node: a moving partner counts on its target. */
  together(sid: string): Map<string, number> {
    const together = new Map<string, number>();
    for (const partner of this.positivePartners(sid)) {
      const placement = this.managed(partner);
      if (placement === undefined) continue;
      const { current, target } = this.usedNodes(placement);
      const node = target ?? current;
      if (node !== undefined) together.set(node, (together.get(node) ?? 0) + 1);
    }
    return together;
  }

  /** Nodes a negative partner loads, as its current node or as its target. */
  separateNodes(sid: string): Set<string> {
    const separate = new Set<string>();
    for (const partner of this.rules.negative.get(sid) ?? []) {
      const placement = this.managed(partner);
      if (placement === undefined) continue;
      const { current, target } = this.usedNodes(placement);
      if (current !== undefined) separate.add(current);
      if (target !== undefined) separate.add(target);
    }
    return separate;
  }

  private usedNodes(placement: Placement): { current: string | undefined; target: string | undefined } {
    const { state, node, target } = placement;
    return {
      current: LOADS_CURRENT.has(state) && this.online.has(node) ? node : undefined,
      target: LOADS_TARGET.has(state) && target !== undefined && this.online.has(target) ? target : undefined,
    };
  }
}
