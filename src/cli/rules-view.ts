import { compareNames } from '../common/compare-names.ts';
import type { RuleConfig, RuleType } from '../common/ha-config.ts';
import { formatNodeList } from '../config/groups.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import { compileRules } from '../crm/rules/compile-rules.ts';
import { groupsAsRules } from '../crm/rules/groups-as-rules.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { knownNodes } from './known-nodes.ts';
import { readManagerStatus } from './status-files.ts';
import { textTable } from './text-table.ts';

/** Whether the master applies a rule: in use, disabled (a `disable` line), or dropped by its checks. */
export type RuleUse = 'in use' | 'disabled' | 'dropped';

/** One rule as `rules list|config` show it, with Proxmox's field names. */
export interface RuleListing {
  readonly rule: string;
  readonly type: RuleType;
  readonly use: RuleUse;
  /** Why the master drops it (README-5.2 §6.2), one entry per failed check. */
  readonly reasons?: readonly string[];
  /** rules.cfg, or groups.cfg for the rule the master makes of a group in use (README-5.2 §9.1). */
  readonly from: 'rules.cfg' | 'groups.cfg';
  readonly resources: string;
  readonly nodes?: string;
  readonly strict?: 0 | 1;
  readonly affinity?: 'positive' | 'negative';
  readonly disable?: 1;
  readonly comment?: string;
}

/**
 * Every rule the master reads — rules.cfg, then those it makes of groups — and what it makes of each,
 * compiled as the master compiles them: against the node table of status/manager.json, or the known
 * nodes while no master has written one.
 */
export function listRules(store: ClusterStore, loaded: LoadedConfig): RuleListing[] {
  const { config } = loaded;
  const fromGroups = groupsAsRules(config.resources, config.groups);
  const all = [...config.rules, ...fromGroups];
  const manager = readManagerStatus(store);
  const nodeTable = manager ? Object.keys(manager.status.nodeStatus).sort(compareNames) : [...knownNodes(store, loaded).nodes];
  const reasons = new Map<string, string[]>();
  for (const { rule, reason } of compileRules(all, nodeTable).dropped) reasons.set(rule, [...(reasons.get(rule) ?? []), reason]);
  const grouped = new Set(fromGroups.map((rule) => rule.id));
  return all.map((rule) => listingOf(rule, { reasons: reasons.get(rule.id), isFromGroup: grouped.has(rule.id) && !config.rules.includes(rule) }));
}

function listingOf(rule: RuleConfig, context: { reasons: string[] | undefined; isFromGroup: boolean }): RuleListing {
  const { reasons, isFromGroup } = context;
  const use: RuleUse = rule.isDisabled ? 'disabled' : reasons ? 'dropped' : 'in use';
  return {
    rule: rule.id,
    type: rule.type,
    use,
    ...(use === 'dropped' ? { reasons: reasons! } : {}),
    from: isFromGroup ? 'groups.cfg' : 'rules.cfg',
    resources: rule.resources.join(','),
    ...(rule.type === 'node-affinity' ? { nodes: formatNodeList(rule.nodes), strict: rule.strict ? 1 : 0 } : { affinity: rule.affinity }),
    ...(rule.isDisabled ? { disable: 1 } : {}),
    ...(rule.comment !== undefined ? { comment: rule.comment } : {}),
  };
}

/** `rules list`: one line per rule. */
export function renderRuleTable(listing: readonly RuleListing[]): string {
  if (listing.length === 0) return 'No HA rules (rules.cfg is empty and no group is in use)';
  const rows = listing.map((entry) => [
    entry.rule,
    entry.type,
    entry.use,
    entry.resources,
    entry.type === 'node-affinity' ? `${entry.nodes}${entry.strict === 1 ? ' (strict)' : ''}` : entry.affinity!,
  ]);
  return textTable(['RULE', 'TYPE', 'USE', 'RESOURCES', 'NODES / AFFINITY'], rows);
}

/** `rules config`: each rule in rules.cfg's format, then what the master makes of it. */
export function renderRuleConfig(listing: readonly RuleListing[]): string {
  return listing
    .map(({ rule, type, use, reasons, from, ...options }) => {
      const lines = [`${type}: ${rule}`, ...Object.entries(options).map(([key, value]) => `\t${key} ${value}`)];
      if (from === 'groups.cfg') lines.push('\t# made from an HA group in groups.cfg (ha-manager rules migrate-groups writes it out)');
      lines.push(use === 'dropped' ? `\t# dropped: ${reasons!.join('; ')}` : `\t# ${use}`);
      return lines.join('\n');
    })
    .join('\n\n');
}
