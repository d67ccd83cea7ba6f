/**
 * The scenario command that edits rules.cfg while a run goes on (chaos runs write it; README-5.2 has
 * no such command, the reference scenarios set rules once in `rules_config`):
 *
 *   rule <id> node-affinity <sids> <nodes> [strict]       add rule <id>, or replace it
 *   rule <id> resource-affinity <sids> positive|negative
 *   rule <id> delete
 *
 * <sids> and <nodes> are comma lists as in rules.cfg (`vm:101,ct:102`, `node1:2,node2`).
 */
import type { RuleConfig } from '../common/ha-config.ts';
import { checkNodeList } from '../config/config-values.ts';
import { checkResourceList, checkRuleId } from '../config/rules.ts';

export interface RuleCommand {
  readonly kind: 'rule';
  readonly id: string;
  /** The rule as it is to be; undefined: delete it. */
  readonly rule: RuleConfig | undefined;
  readonly text: string;
}

export function parseRuleCommand(text: string, words: readonly string[]): RuleCommand | string {
  const [, id, type, resources, fourth, fifth] = words;
  const usage = `'${text}': expected 'rule <id> node-affinity <sids> <nodes> [strict]', 'rule <id> resource-affinity <sids> positive|negative' or 'rule <id> delete'`;
  if (id === undefined || !checkRuleId(id).ok) return usage;
  if (type === 'delete' && words.length === 3) return { kind: 'rule', id, rule: undefined, text };
  const sids = checkResourceList(resources ?? '');
  if (!sids.ok) return `'${text}': ${sids.problem}`;
  const base = { id, resources: sids.value, isDisabled: false };
  if (type === 'node-affinity' && (words.length === 5 || (words.length === 6 && fifth === 'strict'))) {
    const nodes = checkNodeList(fourth ?? '');
    if (!nodes.ok) return `'${text}': ${nodes.problem}`;
    return { kind: 'rule', id, rule: { ...base, type, nodes: nodes.value, strict: fifth === 'strict' }, text };
  }
  if (type === 'resource-affinity' && words.length === 5 && (fourth === 'positive' || fourth === 'negative')) {
    return { kind: 'rule', id, rule: { ...base, type, affinity: fourth }, text };
  }
  return usage;
}

/** rules.cfg after the command: the rule replaced in place, appended, or removed. */
export function rulesAfter(rules: readonly RuleConfig[], command: RuleCommand): RuleConfig[] {
  const index = rules.findIndex((rule) => rule.id === command.id);
  if (command.rule === undefined) return rules.filter((rule) => rule.id !== command.id);
  if (index === -1) return [...rules, command.rule];
  return rules.map((rule, at) => (at === index ? command.rule! : rule));
}
