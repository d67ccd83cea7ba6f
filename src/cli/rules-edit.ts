import type { RuleType } from '../common/ha-config.ts';
import { ConfigRefused } from '../config/config-edit.ts';
import { loadHaConfig, type LoadedConfig } from '../config/load-config.ts';
import { addRule, setRule, writeGroupMigration } from '../config/rule-edit.ts';
import { checkNodeList } from '../config/config-values.ts';
import { groupMigrationRequest } from '../crm/rules/group-migration.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import type { DirArgs } from './cli-options.ts';
import { storeOf } from './cli-store.ts';
import { editSharedConfig } from './config-write.ts';
import { knownNodes, refuseUnknownNodes } from './known-nodes.ts';
import { ruleOptionsOf, type RuleOptionArgs } from './rule-options.ts';
import { listRules } from './rules-view.ts';
import { deleteList } from './sid-arg.ts';

type RuleEditArgs = DirArgs & RuleOptionArgs & { readonly rule: string; readonly delete?: string };

/**
 * `rules add|set`: one edit of rules.cfg. The services of --resources must be configured and
 * the nodes of --nodes known (a typo is refused, nothing written). Returns a note for stderr when the
 * master would drop the rule as it now stands (README-5.2 §6.2): the edit is kept, the operator told.
 */
export async function editRuleCommand(args: RuleEditArgs, request: { action: 'add' | 'set'; type: RuleType }): Promise<string> {
  const { action, type } = request;
  const store = await storeOf(args);
  const rule = String(args.rule);
  const { set, enable } = ruleOptionsOf(args);
  await editSharedConfig(store, (documents, current) => {
    refuseUnknownReferences(store, current, set);
    if (action === 'add') addRule(documents, { type, rule, options: set });
    else setRule(documents, { type, rule, change: { set, delete: [...deleteList(args.delete), ...(enable ? ['disable'] : [])] } });
  });
  const listing = listRules(store, loadHaConfig(store)).find((entry) => entry.rule === rule);
  if (listing?.use !== 'dropped') return '';
  return `ha-manager: note: the master drops rule '${rule}' as it stands: ${listing.reasons!.join('; ')} ('ha-manager rules config' shows every rule)\n`;
}

function refuseUnknownReferences(store: ClusterStore, current: LoadedConfig, set: { resources?: string; nodes?: string }): void {
  for (const sid of set.resources?.split(',').map((part) => part.trim()) ?? []) {
    if (sid !== '' && !Object.hasOwn(current.config.resources, sid)) throw new ConfigRefused(`--resources: Unknown resource ${sid}; 'ha-manager config' lists them ('ha-manager add ${sid}' first)`);
  }
  const nodes = set.nodes === undefined ? undefined : checkNodeList(set.nodes);
  if (nodes?.ok) refuseUnknownNodes(Object.keys(nodes.value), knownNodes(store, current), '--nodes');
}

/** `rules migrate-groups`: writes groups out as rules once, as a Proxmox VE 9 master does; returns what it did. */
export async function migrateGroups(args: DirArgs): Promise<string> {
  return editSharedConfig(await storeOf(args), (documents, current) => {
    const { groups, resources } = current.config;
    const names = Object.keys(groups).sort();
    if (names.length === 0) throw new ConfigRefused(`No HA groups in ${documents.groups.file}: nothing to migrate`);
    const request = groupMigrationRequest(resources, groups);
    writeGroupMigration(documents, request);
    const lines = names.map((name) => {
      const rule = request.rules.find((candidate) => candidate.id === `ha-group-${name}`);
      return rule ? `group '${name}' -> node-affinity rule '${rule.id}' (${rule.resources.join(', ')})` : `group '${name}' removed: no resource uses it`;
    });
    const off = request.resources.filter((entry) => entry.isFailbackOff).map((entry) => entry.sid);
    if (off.length > 0) lines.push(`failback 0 (the group's nofailback) on ${off.join(', ')}`);
    return `${lines.join('\n')}\n`;
  });
}
