import { assert } from '../../common/assert.ts';
import type { ServiceState } from '../../common/states.ts';
import type { Placement } from '../node-usage.ts';
import type { AffinityView } from './affinity-view.ts';
import type { CompiledNodeAffinity, CompiledRules, ServiceRules } from './compile-rules.ts';

/** The nodes a service may run on now, and those of its best priority class (README-5.2 §6.4 step 1). */
export interface NodeClasses {
  /** Online nodes of its rule, any priority (every online node without a rule). */
  readonly allowed: ReadonlySet<string>;
  /** Online nodes of the highest priority among `allowed`, sorted by name. */
  readonly preferred: readonly string[];
  readonly isPreferred: ReadonlySet<string>;
}

/** States in which a service puts load on its current node (README-5.2 §7.1). */
const LOADS_CURRENT: ReadonlySet<ServiceState> = new Set(['started', 'request_stop', 'fence', 'freeze', 'error', 'recovery', 'migrate', 'relocate']);
/** States in which a service puts load on its target. */
const LOADS_TARGET: ReadonlySet<ServiceState> = new Set(['migrate', 'relocate', 'request_start_balance']);

const NO_PARTNERS: readonly string[] = [];

/**
 * What the compiled rules say about one service at this moment of a manager round: its node classes
 * from node affinity, and from resource affinity the nodes its partners occupy (README-5.2 §6.3).
 * Partners are looked up live, so a service placed earlier in the round counts for the next. Node
 * classes are computed once per rule per round (the online nodes do not change within a round).
 */
export class ServiceAffinity implements AffinityView {
  private readonly online: ReadonlySet<string>;
  private readonly unrestricted: NodeClasses;

  constructor(
    private readonly rules: CompiledRules,
    onlineNodes: readonly string[],
    /** A managed service's placement; undefined for one the master does not manage. */
    private readonly managed: (sid: string) => Placement | undefined,
    /**
     * Node classes by rule index, valid for these rules and these online nodes: a caller may keep it
     * from round to round while both stay the same (ManagerRules.nodeClassCache).
     */
    private readonly classCache: Array<NodeClasses | undefined> = new Array<NodeClasses | undefined>(rules.nodeAffinityCount),
  ) {
    const sorted = [...onlineNodes].sort();
    this.online = new Set(sorted);
    this.unrestricted = { allowed: this.online, preferred: sorted, isPreferred: this.online };
  }

  /** What the rules say about the service; undefined when no rule names it (every online node is as good). */
  rulesOf(sid: string): ServiceRules | undefined {
    return this.rules.byService.get(sid);
  }

  nodeClasses(sid: string): NodeClasses {
    return this.classesOf(this.rules.byService.get(sid)?.nodeAffinity);
  }

  classesOf(rule: CompiledNodeAffinity | undefined): NodeClasses {
    if (rule === undefined) return this.unrestricted;
    const cached = this.classCache[rule.index];
    if (cached !== undefined) return cached;
    const allowed = new Map<string, number>();
    for (const [node, priority] of rule.nodes) if (this.online.has(node)) allowed.set(node, priority);
    const top = Math.max(...allowed.values());
    const preferred = [...allowed].filter(([, priority]) => priority === top).map(([node]) => node).sort();
    const classes: NodeClasses = { allowed: new Set(allowed.keys()), preferred, isPreferred: new Set(preferred) };
    assert(preferred.length > 0 || allowed.size === 0, `Rule ${rule.ruleId} has allowed nodes but no preferred one`);
    assert(rule.index < this.classCache.length, `Rule ${rule.ruleId} has index ${rule.index} of ${this.classCache.length}`);
    this.classCache[rule.index] = classes;
    return classes;
  }

  preferredNodes(sid: string): readonly string[] {
    return this.nodeClasses(sid).preferred;
  }

  positivePartners(sid: string): readonly string[] {
    return this.rules.byService.get(sid)?.positive ?? NO_PARTNERS;
  }

  /** How many positive partners load each online node: a moving partner counts on its target. */
  together(sid: string): Map<string, number> {
    const together = new Map<string, number>();
    for (const partner of this.positivePartners(sid)) {
      const node = this.togetherNodeOf(partner);
      if (node !== undefined) together.set(node, (together.get(node) ?? 0) + 1);
    }
    return together;
  }

  /** Whether some positive partner loads `node` (as together() counts), without building the map. */
  hasPartnerOn(rules: ServiceRules, node: string): boolean {
    for (const partner of rules.positive) if (this.togetherNodeOf(partner) === node) return true;
    return false;
  }

  /** Nodes a negative partner loads, as its current node or as its target. */
  separateNodes(sid: string): Set<string> {
    const separate = new Set<string>();
    for (const partner of this.rules.byService.get(sid)?.negative ?? NO_PARTNERS) {
      const placement = this.managed(partner);
      if (placement === undefined) continue;
      const current = this.loadedCurrent(placement);
      const target = this.loadedTarget(placement);
      if (current !== undefined) separate.add(current);
      if (target !== undefined) separate.add(target);
    }
    return separate;
  }

  /** Whether some negative partner loads `node` (as separateNodes() marks), without building the set. */
  isSeparate(rules: ServiceRules, node: string): boolean {
    for (const partner of rules.negative) {
      const placement = this.managed(partner);
      if (placement !== undefined && (this.loadedCurrent(placement) === node || this.loadedTarget(placement) === node)) return true;
    }
    return false;
  }

  private togetherNodeOf(partner: string): string | undefined {
    const placement = this.managed(partner);
    return placement === undefined ? undefined : (this.loadedTarget(placement) ?? this.loadedCurrent(placement));
  }

  private loadedCurrent({ state, node }: Placement): string | undefined {
    return LOADS_CURRENT.has(state) && this.online.has(node) ? node : undefined;
  }

  private loadedTarget({ state, target }: Placement): string | undefined {
    return LOADS_TARGET.has(state) && target !== undefined && this.online.has(target) ? target : undefined;
  }
}
