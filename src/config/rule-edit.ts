import type { GroupMigrationRequest, NodeAffinityRule, RuleType } from '../common/ha-config.ts';
import { ConfigRefused } from './config-edit.ts';
import { formatNodeList } from './groups.ts';
import type { ConfigDocuments } from './load-config.ts';
import { checkRuleId, checkRuleOption, RULE_OPTIONS, RULE_REQUIRED_OPTIONS, RULE_TYPE_OPTIONS, type RuleOption } from './rules.ts';

/** Options to set (as they are written in rules.cfg) and options to remove. */
export interface RuleChange {
  readonly set: Readonly<Partial<Record<RuleOption, string>>>;
  readonly delete: readonly string[];
}

/** `rules add <type> <rule>`: a new section; the rule id must be new across both types. */
export function addRule(documents: ConfigDocuments, request: { type: RuleType; rule: string; options: RuleChange['set'] }): void {
  const { type, rule, options } = request;
  const id = checkRuleId(rule);
  if (!id.ok) throw new ConfigRefused(id.problem);
  const existing = findRule(documents, rule);
  if (existing) throw new ConfigRefused(`Rule '${rule}' already exists (${documents.rules.file} line ${existing.line}); change it with 'ha-manager rules set ${existing.type} ${rule}'`);
  for (const key of RULE_REQUIRED_OPTIONS[type]) {
    if (options[key] === undefined) throw new ConfigRefused(`A ${type} rule needs --${key} (${RULE_OPTIONS[key]})`);
  }
  documents.rules.addSection(type, rule, checkedOptions(type, options));
}

/** `rules set <type> <rule>`: changes options of an existing rule of that type. */
export function setRule(documents: ConfigDocuments, request: { type: RuleType; rule: string; change: RuleChange }): void {
  const { type, rule, change } = request;
  existingRule(documents, type, rule);
  const entries = checkedOptions(type, change.set);
  for (const key of change.delete) {
    if (!(RULE_TYPE_OPTIONS[type] as readonly string[]).includes(key)) {
      throw new ConfigRefused(`--delete: Unknown option '${key}' of a ${type} rule, expected one of ${RULE_TYPE_OPTIONS[type].join(', ')}`);
    }
    if ((RULE_REQUIRED_OPTIONS[type] as readonly string[]).includes(key)) throw new ConfigRefused(`--delete: A ${type} rule cannot be without '${key}'; remove the rule instead`);
    if (Object.hasOwn(change.set, key)) throw new ConfigRefused(`--delete: Option '${key}' is both set and deleted`);
  }
  if (entries.length === 0 && change.delete.length === 0) throw new ConfigRefused(`Nothing to change for rule '${rule}': give an option or --delete`);
  for (const [key, value] of entries) documents.rules.setProperty(type, rule, key, value);
  for (const key of change.delete) documents.rules.deleteProperty(type, rule, key);
}

/** `rules remove <rule>`. */
export function removeRule(documents: ConfigDocuments, rule: string): void {
  const section = findRule(documents, rule);
  if (!section) throw new ConfigRefused(`Unknown rule '${rule}'; 'ha-manager rules list' lists them`);
  documents.rules.removeSection(section.type, rule);
}

/**
 * Writes a migration of HA groups to rules (README-5.2 §9.2): the rules appended to rules.cfg (a rule
 * whose id exists already is kept as it is), each grouped service without its `group` line and with
 * `failback 0` where its group had `nofailback`, and every group removed from groups.cfg. Refused when
 * rules.cfg has a rule of one of the new ids already: the group's services would lose their placement.
 */
export function writeGroupMigration(documents: ConfigDocuments, request: GroupMigrationRequest): void {
  for (const rule of request.rules) {
    const existing = findRule(documents, rule.id);
    if (existing) throw new ConfigRefused(`Rule '${rule.id}' exists already (${documents.rules.file} line ${existing.line}); rename or remove it to migrate its group`);
    documents.rules.addSection('node-affinity', rule.id, nodeAffinityProperties(rule));
  }
  for (const { sid, isFailbackOff } of request.resources) {
    const colon = sid.indexOf(':');
    const [type, id] = [sid.slice(0, colon), sid.slice(colon + 1)];
    if (!documents.resources.find(type, id)) continue;
    documents.resources.deleteProperty(type, id, 'group');
    if (isFailbackOff) documents.resources.setProperty(type, id, 'failback', '0');
  }
  for (const section of [...documents.groups.sections()]) documents.groups.removeSection(section.type, section.id);
}

/** A rule's lines as Proxmox writes them. */
function nodeAffinityProperties(rule: NodeAffinityRule): Array<[string, string]> {
  const properties: Array<[string, string]> = [
    ['resources', rule.resources.join(',')],
    ['nodes', formatNodeList(rule.nodes)],
    ['strict', rule.strict ? '1' : '0'],
  ];
  if (rule.comment !== undefined) properties.push(['comment', rule.comment]);
  return properties;
}

function findRule(documents: ConfigDocuments, rule: string) {
  return documents.rules.sections().find((section) => section.id === rule);
}

function existingRule(documents: ConfigDocuments, type: RuleType, rule: string): void {
  const section = findRule(documents, rule);
  if (!section) throw new ConfigRefused(`Unknown rule '${rule}'; 'ha-manager rules list' lists them`);
  if (section.type !== type) throw new ConfigRefused(`Rule '${rule}' is a ${section.type} rule, not ${type}: 'ha-manager rules set ${section.type} ${rule} ...'`);
}

function checkedOptions(type: RuleType, options: RuleChange['set']): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const checked = checkRuleOption(type, key, value);
    if (!checked.ok) throw new ConfigRefused(checked.problem);
    entries.push([key, value]);
  }
  return entries;
}
