import { assert } from '../../common/assert.ts';
import type { NodeAffinityRule, ResourceAffinityRule, RuleConfig } from '../../common/ha-config.ts';
import { positiveRuleGroups } from './positive-groups.ts';

/** A rule the checks dropped, and why (one entry per reason; a rule may have several). */
export interface DroppedRule {
  readonly rule: string;
  readonly reason: string;
}

/** The enabled rules by kind, as every check reads them. */
interface RulesByKind {
  readonly nodeAffinity: readonly NodeAffinityRule[];
  readonly positive: readonly ResourceAffinityRule[];
  readonly negative: readonly ResourceAffinityRule[];
  readonly nodeTable: readonly string[];
}

/**
 * The feasibility checks of Proxmox VE 9 (README-5.2 §6.2), on enabled rules only: each returns the
 * rules it blames with the reason. All checks run on the same input, and the rules blamed by any are
 * dropped together afterwards, so a rule dropped by one check still counts in the others — as the
 * reference does. Order: node-affinity checks, resource-affinity checks, then those across both.
 */
export function checkRules(rules: readonly RuleConfig[], nodeTable: readonly string[]): DroppedRule[] {
  const kinds: RulesByKind = {
    nodeAffinity: rules.filter((rule): rule is NodeAffinityRule => rule.type === 'node-affinity'),
    positive: rules.filter((rule): rule is ResourceAffinityRule => rule.type === 'resource-affinity' && rule.affinity === 'positive'),
    negative: rules.filter((rule): rule is ResourceAffinityRule => rule.type === 'resource-affinity' && rule.affinity === 'negative'),
    nodeTable,
  };
  assert(kinds.nodeAffinity.length + kinds.positive.length + kinds.negative.length === rules.length, 'Every rule is of a known kind');
  const dropped: DroppedRule[] = [];
  const seen = new Set<string>();
  for (const check of RULE_CHECKS) {
    for (const entry of check(kinds)) {
      const key = `${entry.rule}\n${entry.reason}`;
      if (seen.has(key)) continue;
      seen.add(key);
      dropped.push(entry);
    }
  }
  return dropped;
}

const RULE_CHECKS: ReadonlyArray<(kinds: RulesByKind) => DroppedRule[]> = [
  singleNodeAffinityPerResource,
  resourceAffinityCount,
  negativeCountWithinNodes,
  positiveNegativeConsistency,
  singlePriorityWithResourceAffinity,
  singleNodeAffinityPerPositiveGroup,
  negativeWithinNodeAffinityNodes,
];

/** Node-affinity rules naming each service. */
function nodeAffinityBySid(rules: readonly NodeAffinityRule[]): Map<string, NodeAffinityRule[]> {
  const bySid = new Map<string, NodeAffinityRule[]>();
  for (const rule of rules) {
    for (const sid of rule.resources) {
      const list = bySid.get(sid);
      if (list) list.push(rule);
      else bySid.set(sid, [rule]);
    }
  }
  return bySid;
}

/** A service may be in one node-affinity rule only: every rule naming a shared service goes. */
function singleNodeAffinityPerResource({ nodeAffinity }: RulesByKind): DroppedRule[] {
  const dropped: DroppedRule[] = [];
  for (const [sid, rules] of nodeAffinityBySid(nodeAffinity)) {
    if (rules.length < 2) continue;
    for (const rule of rules) dropped.push({ rule: rule.id, reason: `resource '${sid}' is already used in another node affinity rule` });
  }
  return dropped;
}

function resourceAffinityCount({ positive, negative }: RulesByKind): DroppedRule[] {
  return [...positive, ...negative]
    .filter((rule) => rule.resources.length < 2)
    .map((rule) => ({ rule: rule.id, reason: 'rule is ineffective as there are less than two resources' }));
}

function negativeCountWithinNodes({ negative, nodeTable }: RulesByKind): DroppedRule[] {
  return negative
    .filter((rule) => rule.resources.length > nodeTable.length)
    .map((rule) => ({ rule: rule.id, reason: 'rule defines more resources than available nodes' }));
}

/** A negative rule sharing two services with a group of positive rules contradicts it: all of them go. */
function positiveNegativeConsistency({ positive, negative }: RulesByKind): DroppedRule[] {
  const dropped: DroppedRule[] = [];
  for (const group of positiveRuleGroups(positive)) {
    for (const rule of negative) {
      if (rule.resources.filter((sid) => group.resources.has(sid)).length < 2) continue;
      for (const id of group.ruleIds) dropped.push({ rule: id, reason: 'rule shares two or more resources with a negative resource affinity rule' });
      dropped.push({ rule: rule.id, reason: 'rule shares two or more resources with a positive resource affinity rule' });
    }
  }
  return dropped;
}

/** Resource affinity cannot be combined with a node-affinity rule whose own node list has several priorities. */
function singlePriorityWithResourceAffinity({ nodeAffinity, positive, negative }: RulesByKind): DroppedRule[] {
  const bySid = nodeAffinityBySid(nodeAffinity);
  const dropped: DroppedRule[] = [];
  for (const rule of [...positive, ...negative]) {
    const offending = new Set<NodeAffinityRule>();
    for (const sid of rule.resources) {
      for (const nodeRule of bySid.get(sid) ?? []) if (new Set(Object.values(nodeRule.nodes)).size > 1) offending.add(nodeRule);
    }
    if (offending.size === 0) continue;
    dropped.push({ rule: rule.id, reason: 'resources are in node affinity rules with multiple priorities' });
    for (const nodeRule of offending) {
      dropped.push({ rule: nodeRule.id, reason: 'resources are in a resource affinity rule and cannot be in a node affinity rule with multiple priorities' });
    }
  }
  return dropped;
}

/** The services of one group of positive rules may be in one node-affinity rule at most. */
function singleNodeAffinityPerPositiveGroup({ nodeAffinity, positive }: RulesByKind): DroppedRule[] {
  const bySid = nodeAffinityBySid(nodeAffinity);
  const dropped: DroppedRule[] = [];
  for (const group of positiveRuleGroups(positive)) {
    const nodeRules = new Set<NodeAffinityRule>();
    for (const sid of group.resources) for (const nodeRule of bySid.get(sid) ?? []) nodeRules.add(nodeRule);
    if (nodeRules.size < 2) continue;
    for (const id of group.ruleIds) dropped.push({ rule: id, reason: 'resources are in multiple node affinity rules' });
    for (const nodeRule of nodeRules) {
      dropped.push({ rule: nodeRule.id, reason: 'resources are in a positive resource affinity rule and there are other resources in at least one other node affinity rule already' });
    }
  }
  return dropped;
}

/** The services of a negative rule that have node-affinity rules need at least as many nodes in those rules. */
function negativeWithinNodeAffinityNodes({ nodeAffinity, negative }: RulesByKind): DroppedRule[] {
  const bySid = nodeAffinityBySid(nodeAffinity);
  const dropped: DroppedRule[] = [];
  for (const rule of negative) {
    const restricted = rule.resources.filter((sid) => bySid.has(sid));
    const nodeRules = new Set(restricted.flatMap((sid) => bySid.get(sid)!));
    const nodes = new Set([...nodeRules].flatMap((nodeRule) => Object.keys(nodeRule.nodes)));
    if (restricted.length <= nodes.size) continue;
    dropped.push({ rule: rule.id, reason: 'two or more resources are restricted to less nodes than available to the resources' });
    for (const nodeRule of nodeRules) {
      dropped.push({ rule: nodeRule.id, reason: 'at least one resource is in a negative resource affinity rule and this rule would restrict these to less nodes than available to the resources' });
    }
  }
  return dropped;
}
