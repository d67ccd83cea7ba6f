import { assert } from '../../common/assert.ts';
import { compareNames } from '../../common/compare-names.ts';
import type { ResourceAffinityRule } from '../../common/ha-config.ts';

/** Rules whose services overlap, grouped; the group's services are the union of theirs. */
export interface RuleGroup {
  /** In the order the rules joined the group. */
  readonly ruleIds: string[];
  readonly resources: Set<string>;
}

/**
 * Groups positive resource-affinity rules that share services, the way Proxmox VE 9 does it
 * (README-5.2 §6.1 step 2a): one pass over the rules sorted by their alphabetically smallest service
 * (ties by rule id, to be deterministic), each rule joining the first group it shares a service with,
 * or starting a new one. A rule is never used to join two groups that already exist, so rules
 * connected only through a later rule may stay in two groups (fixtures/scenarios/rules-single-pass-merge).
 */
export function positiveRuleGroups(rules: readonly ResourceAffinityRule[]): RuleGroup[] {
  const smallest = new Map(rules.map((rule) => [rule, [...rule.resources].sort(compareNames)[0] ?? ''] as const));
  const sorted = [...rules].sort((a, b) => compareNames(smallest.get(a)!, smallest.get(b)!) || compareNames(a.id, b.id));
  const groups: RuleGroup[] = [];
  for (const rule of sorted) {
    assert(rule.affinity === 'positive', `Rule ${rule.id} grouped as positive is ${rule.affinity}`);
    const group = groups.find((candidate) => rule.resources.some((sid) => candidate.resources.has(sid)));
    if (group) {
      group.ruleIds.push(rule.id);
      for (const sid of rule.resources) group.resources.add(sid);
    } else {
      groups.push({ ruleIds: [rule.id], resources: new Set(rule.resources) });
    }
  }
  assert(groups.reduce((count, group) => count + group.ruleIds.length, 0) === rules.length, 'Every positive rule is in one group');
  return groups;
}
