/**
 * rules.cfg, the HA rules of Proxmox VE 9 in section-config text, read as Proxmox writes it:
 *
 *     node-affinity: prefer-node1
 *     	resources vm:101,vm:102
 *     	nodes node1:2,node2:1
 *     	strict 1
 *
 *     resource-affinity: keep-apart
 *     	resources vm:101,vm:103
 *     	affinity negative
 *
 * What the rules mean is the master's (src/crm/rules/); this module only reads and checks the text.
 */
import { RULE_TYPES, type NodeAffinityRule, type ResourceAffinityRule, type RuleConfig, type RuleType } from '../common/ha-config.ts';
import { isOneOf } from '../common/states.ts';
import { isValidSid } from '../common/sid.ts';
import { checkComment, checkFlag, checkNodeList, forOption, GROUP_ID, type Checked } from './config-values.ts';
import { ConfigError, type Section } from './section-config.ts';

/** Options of a rule, with what they mean (also the help text of `rules add|set`). */
export const RULE_OPTIONS = {
  resources: 'services the rule applies to, comma-separated sids (e.g. vm:101,ct:102)',
  nodes: 'node-affinity only: nodes with optional priority, node[:priority],... (higher priority is preferred)',
  strict: 'node-affinity only: 1: the services run only on these nodes; 0 (default): on other nodes too when none of these is online',
  affinity: 'resource-affinity only: positive (keep the services on one node) or negative (each on a different node)',
  disable: '1: the rule is kept but not applied (as in Proxmox VE 9 any disable line disables; set --disable 0 removes it)',
  comment: 'free text, one line',
} as const;
export type RuleOption = keyof typeof RULE_OPTIONS;

/** Which options each rule type takes. */
export const RULE_TYPE_OPTIONS: Readonly<Record<RuleType, readonly RuleOption[]>> = {
  'node-affinity': ['resources', 'nodes', 'strict', 'disable', 'comment'],
  'resource-affinity': ['resources', 'affinity', 'disable', 'comment'],
};

/** Options a rule of each type cannot be without. */
export const RULE_REQUIRED_OPTIONS: Readonly<Record<RuleType, readonly RuleOption[]>> = {
  'node-affinity': ['resources', 'nodes'],
  'resource-affinity': ['resources', 'affinity'],
};

/** A rules.cfg of 100 KiB holds a few thousand rules; a longer service list is a generated mistake. */
export const RULE_RESOURCES_MAX = 1000;

export function checkRuleType(text: string): Checked<RuleType> {
  if (isOneOf(RULE_TYPES, text)) return { ok: true, value: text };
  return { ok: false, problem: `Unknown rule type '${text}', expected one of ${RULE_TYPES.join(', ')}` };
}

/** Rule ids are Proxmox config ids: a letter, then letters, digits, '-' or '_'. */
export function checkRuleId(text: string): Checked<string> {
  if (GROUP_ID.test(text)) return { ok: true, value: text };
  return { ok: false, problem: `Bad rule id '${text}', expected a letter followed by letters, digits, '-' or '_'` };
}

/** Comma-separated sids, each once. */
export function checkResourceList(text: string): Checked<string[]> {
  const sids = text.split(',').map((part) => part.trim());
  if (text.trim() === '') return { ok: false, problem: 'Empty resource list, expected comma-separated sids like vm:101,ct:102' };
  if (sids.length > RULE_RESOURCES_MAX) return { ok: false, problem: `${sids.length} resources, the limit is ${RULE_RESOURCES_MAX}` };
  const bad = sids.find((sid) => !isValidSid(sid));
  if (bad !== undefined) return { ok: false, problem: `Bad service id '${bad}', expected <type>:<name>, e.g. vm:101` };
  const duplicate = sids.find((sid, index) => sids.indexOf(sid) !== index);
  if (duplicate !== undefined) return { ok: false, problem: `Service '${duplicate}' listed twice` };
  return { ok: true, value: sids };
}

/** Checks one option of a rule of `type`; the problem names the option. */
export function checkRuleOption(type: RuleType, key: string, value: string): Checked<unknown> {
  if (!(RULE_TYPE_OPTIONS[type] as readonly string[]).includes(key)) {
    return { ok: false, problem: `Unknown option '${key}' of a ${type} rule, expected one of ${RULE_TYPE_OPTIONS[type].join(', ')}` };
  }
  switch (key as RuleOption) {
    case 'resources':
      return forOption(key, checkResourceList(value));
    case 'nodes':
      return forOption(key, checkNodeList(value));
    case 'strict':
      return forOption(key, checkFlag(value));
    case 'affinity':
      return value === 'positive' || value === 'negative' ? { ok: true, value } : { ok: false, problem: `Option 'affinity': Bad value '${value}', expected positive or negative` };
    case 'disable':
      // A bare `disable` means 1, as Proxmox reads it.
      return forOption(key, checkFlag(value === '' ? '1' : value));
    case 'comment':
      return forOption(key, checkComment(value));
  }
}

/** Rules of parsed rules.cfg sections, in file order; throws ConfigError naming the file and line of the first problem. */
export function rulesFromSections(sections: readonly Section[], file: string): RuleConfig[] {
  const rules: RuleConfig[] = [];
  const seen = new Map<string, number>();
  for (const section of sections) {
    const type = checkRuleType(section.type);
    if (!type.ok) throw new ConfigError(file, section.line, type.problem);
    const id = checkRuleId(section.id);
    if (!id.ok) throw new ConfigError(file, section.line, id.problem);
    // Rule ids are unique across types: `rules set|remove <rule>` names a rule by its id.
    const previous = seen.get(section.id);
    if (previous !== undefined) throw new ConfigError(file, section.line, `Duplicate rule id '${section.id}' (first at line ${previous})`);
    seen.set(section.id, section.line);
    rules.push(ruleFrom(section, type.value, file));
  }
  return rules;
}

function ruleFrom(section: Section, type: RuleType, file: string): RuleConfig {
  const values = new Map<string, unknown>();
  for (const { key, value, line } of section.properties) {
    const option = checkRuleOption(type, key, value);
    if (!option.ok) throw new ConfigError(file, line, option.problem);
    values.set(key, option.value);
  }
  const missing = RULE_REQUIRED_OPTIONS[type].find((key) => !values.has(key));
  if (missing !== undefined) throw new ConfigError(file, section.line, `Rule '${section.id}' has no '${missing}'`);
  const comment = values.get('comment') as string | undefined;
  const base = {
    id: section.id,
    resources: values.get('resources') as string[],
    isDisabled: values.has('disable'),
    ...(comment !== undefined ? { comment } : {}),
  };
  if (type === 'node-affinity') {
    const rule: NodeAffinityRule = { ...base, type, nodes: values.get('nodes') as Record<string, number>, strict: (values.get('strict') as boolean | undefined) ?? false };
    return rule;
  }
  const rule: ResourceAffinityRule = { ...base, type, affinity: values.get('affinity') as 'positive' | 'negative' };
  return rule;
}
