import { assert } from '../../common/assert.ts';
import { compareNames } from '../../common/compare-names.ts';
import type { NodeAffinityRule, ResourceAffinityRule, RuleConfig } from '../../common/ha-config.ts';
import { positiveRuleGroups } from './positive-groups.ts';
import { checkRules, type DroppedRule } from './rule-checks.ts';

/** A service's node affinity, shared by every service of the rule. */
export interface CompiledNodeAffinity {
  readonly ruleId: string;
  /** Position among the compiled node-affinity rules: callers keep per-rule answers in arrays. */
  readonly index: number;
  /** The rule's nodes with their priorities; a non-strict rule adds every other node of the node table at -1. */
  readonly nodes: ReadonlyMap<string, number>;
  readonly strict: boolean;
}

/** Everything the rules say about one service, found with one lookup (node selection, every round). */
export interface ServiceRules {
  readonly nodeAffinity: CompiledNodeAffinity | undefined;
  readonly positive: readonly string[];
  readonly negative: readonly string[];
}

/** The rules the master applies, per service, until the next compilation. */
export interface CompiledRules {
  /** Services some rule names; a service absent here may run on any online node. */
  readonly byService: ReadonlyMap<string, ServiceRules>;
  /** How many node-affinity rules were compiled (the range of CompiledNodeAffinity.index). */
  readonly nodeAffinityCount: number;
  readonly nodeAffinity: ReadonlyMap<string, CompiledNodeAffinity>;
  /** Services that must run with the key service (without it), sorted. */
  readonly positive: ReadonlyMap<string, readonly string[]>;
  /** Services that must run on other nodes than the key service (implicit ones included), sorted. */
  readonly negative: ReadonlyMap<string, readonly string[]>;
  readonly dropped: readonly DroppedRule[];
}

export const NO_RULES: CompiledRules = { byService: new Map(), nodeAffinityCount: 0, nodeAffinity: new Map(), positive: new Map(), negative: new Map(), dropped: [] };

/** Priority of the nodes a non-strict rule does not name: below every named one. */
export const OTHER_NODES_PRIORITY = -1;

/**
 * Compiles the enabled rules against the master's node table (every node it knows, whatever its
 * state), as Proxmox VE 9 does (README-5.2 §6.1): checks drop conflicting or ineffective rules, then
 * connected positive rules merge, positive groups inherit their members' negative partners and node
 * affinity, and each service gets its node set and its positive and negative partners.
 */
export function compileRules(rules: readonly RuleConfig[], nodeTable: readonly string[]): CompiledRules {
  const enabled = rules.filter((rule) => !rule.isDisabled);
  const dropped = checkRules(enabled, nodeTable);
  const droppedIds = new Set(dropped.map((entry) => entry.rule));
  assert([...droppedIds].every((id) => enabled.some((rule) => rule.id === id)), 'The checks blame enabled rules only');
  const kept = enabled.filter((rule) => !droppedIds.has(rule.id));
  assert(kept.length + droppedIds.size <= enabled.length, 'A rule is kept or dropped, not both');
  const negativeRules = kept.filter((rule): rule is ResourceAffinityRule => rule.type === 'resource-affinity' && rule.affinity === 'negative');
  const positiveRules = mergePositiveRules(kept.filter((rule): rule is ResourceAffinityRule => rule.type === 'resource-affinity' && rule.affinity === 'positive'));
  const nodeRules = withPositiveGroupMembers(
    kept.filter((rule): rule is NodeAffinityRule => rule.type === 'node-affinity'),
    positiveRules,
  );
  const positive = partnersOf(positiveRules.map((rule) => rule.resources));
  const negative = partnersOf(negativeRules.map((rule) => rule.resources));
  addImplicitNegatives(positiveRules, negative);
  const compiled = { nodeAffinity: compileNodeAffinity(nodeRules, nodeTable), positive: sortedValues(positive), negative: sortedValues(negative) };
  return { ...compiled, byService: byService(compiled), nodeAffinityCount: nodeRules.length, dropped };
}

function byService(compiled: Pick<CompiledRules, 'nodeAffinity' | 'positive' | 'negative'>): Map<string, ServiceRules> {
  const services = new Map<string, ServiceRules>();
  for (const sid of new Set([...compiled.nodeAffinity.keys(), ...compiled.positive.keys(), ...compiled.negative.keys()])) {
    services.set(sid, { nodeAffinity: compiled.nodeAffinity.get(sid), positive: compiled.positive.get(sid) ?? [], negative: compiled.negative.get(sid) ?? [] });
  }
  return services;
}

/** Transform a: connected positive rules (README-5.2 §6.1 step 2a, single pass) become one rule each. */
function mergePositiveRules(rules: readonly ResourceAffinityRule[]): ResourceAffinityRule[] {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  return positiveRuleGroups(rules).map((group) => {
    if (group.ruleIds.length === 1) return byId.get(group.ruleIds[0]!)!;
    return { type: 'resource-affinity', id: `_merged-${group.ruleIds.join('-')}`, resources: [...group.resources].sort(compareNames), affinity: 'positive', isDisabled: false };
  });
}

/**
 * Transform c: a node-affinity rule naming a member of a positive group applies to the whole group
 * (the checks left at most one such rule per group).
 */
function withPositiveGroupMembers(nodeRules: readonly NodeAffinityRule[], positiveRules: readonly ResourceAffinityRule[]): NodeAffinityRule[] {
  return nodeRules.map((rule) => {
    const named = new Set(rule.resources);
    const extra = positiveRules.filter((group) => group.resources.some((sid) => named.has(sid))).flatMap((group) => group.resources.filter((sid) => !named.has(sid)));
    if (extra.length === 0) return rule;
    return { ...rule, resources: [...rule.resources, ...new Set(extra)] };
  });
}

/**
 * Transform b: when a member of a positive group must be apart from a service, every other member
 * must be apart from it too (README-5.2 §6.1 step 2b).
 */
function addImplicitNegatives(positiveRules: readonly ResourceAffinityRule[], negative: Map<string, Set<string>>): void {
  // From the configured negative rules only, as the reference derives them: implicit pairs beget no more.
  const explicit = new Map([...negative].map(([sid, set]) => [sid, new Set(set)]));
  for (const group of positiveRules) {
    const apart = new Set<string>();
    for (const sid of group.resources) for (const other of explicit.get(sid) ?? []) apart.add(other);
    for (const other of apart) {
      for (const sid of group.resources) {
        if (sid === other) continue;
        link(negative, sid, other);
        link(negative, other, sid);
      }
    }
  }
}

function partnersOf(resourceSets: ReadonlyArray<readonly string[]>): Map<string, Set<string>> {
  const partners = new Map<string, Set<string>>();
  for (const resources of resourceSets) {
    for (const sid of resources) for (const other of resources) if (other !== sid) link(partners, sid, other);
  }
  return partners;
}

function link(partners: Map<string, Set<string>>, sid: string, other: string): void {
  const set = partners.get(sid);
  if (set) set.add(other);
  else partners.set(sid, new Set([other]));
}

function sortedValues(partners: ReadonlyMap<string, ReadonlySet<string>>): Map<string, readonly string[]> {
  const sorted = new Map<string, readonly string[]>();
  for (const [sid, set] of partners) sorted.set(sid, [...set].sort(compareNames));
  return sorted;
}

function compileNodeAffinity(rules: readonly NodeAffinityRule[], nodeTable: readonly string[]): Map<string, CompiledNodeAffinity> {
  const bySid = new Map<string, CompiledNodeAffinity>();
  for (const [index, rule] of rules.entries()) {
    const nodes = new Map(Object.entries(rule.nodes));
    if (!rule.strict) for (const node of nodeTable) if (!nodes.has(node)) nodes.set(node, OTHER_NODES_PRIORITY);
    const compiled: CompiledNodeAffinity = { ruleId: rule.id, index, nodes, strict: rule.strict };
    for (const sid of rule.resources) {
      // Only transform c can name a service twice, when the single-pass grouping left two groups
      // sharing it (positive-groups.ts): the first rule in file order keeps it.
      if (!bySid.has(sid)) bySid.set(sid, compiled);
    }
  }
  return bySid;
}
