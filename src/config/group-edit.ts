import { ConfigRefused } from './config-edit.ts';
import { checkGroupId } from './config-values.ts';
import { checkGroupOption, GROUP_OPTIONS, type GroupOption } from './groups.ts';
import type { ConfigDocuments, LoadedConfig } from './load-config.ts';

/** Options to set (as they are written in groups.cfg) and options to remove. */
export interface GroupChange {
  readonly set: Readonly<Partial<Record<GroupOption, string>>>;
  readonly delete: readonly string[];
}

export function addGroup(documents: ConfigDocuments, request: { group: string; options: GroupChange['set'] }): void {
  const { group, options } = request;
  const id = checkGroupId(group);
  if (!id.ok) throw new ConfigRefused(id.problem);
  const existing = documents.groups.find('group', group);
  if (existing) {
    throw new ConfigRefused(`Group '${group}' already exists (${documents.groups.file} line ${existing.line}); change it with 'ha-manager groupset ${group}'`);
  }
  if (options.nodes === undefined) throw new ConfigRefused(`Group '${group}' needs --nodes with comma-separated node[:priority] entries`);
  documents.groups.addSection('group', group, checkedOptions(options));
}

export function setGroup(documents: ConfigDocuments, request: { group: string; change: GroupChange }): void {
  const { group, change } = request;
  existingGroup(documents, group);
  const entries = checkedOptions(change.set);
  for (const key of change.delete) {
    if (!Object.hasOwn(GROUP_OPTIONS, key)) {
      throw new ConfigRefused(`--delete: Unknown group option '${key}', expected one of ${Object.keys(GROUP_OPTIONS).join(', ')}`);
    }
    if (key === 'nodes') throw new ConfigRefused(`--delete: A group cannot be without 'nodes'; remove the group instead`);
    if (Object.hasOwn(change.set, key)) throw new ConfigRefused(`--delete: Option '${key}' is both set and deleted`);
  }
  if (entries.length === 0 && change.delete.length === 0) throw new ConfigRefused(`Nothing to change for group '${group}': give an option or --delete`);
  for (const [key, value] of entries) documents.groups.setProperty('group', group, key, value);
  for (const key of change.delete) documents.groups.deleteProperty('group', group, key);
}

/** Removes a group; refused while resources still use it. */
export function removeGroup(documents: ConfigDocuments, request: { current: LoadedConfig; group: string }): void {
  const { current, group } = request;
  existingGroup(documents, group);
  const users = Object.entries(current.config.resources)
    .filter(([, resource]) => resource.group === group)
    .map(([sid]) => sid);
  if (users.length > 0) {
    throw new ConfigRefused(`Group '${group}' is used by ${users.join(', ')}; change their group first ('ha-manager set <sid> --group ...' or '--delete group')`);
  }
  documents.groups.removeSection('group', group);
}

function existingGroup(documents: ConfigDocuments, group: string): void {
  if (!documents.groups.find('group', group)) throw new ConfigRefused(`Unknown group '${group}'; 'ha-manager groupconfig' lists them`);
}

function checkedOptions(options: GroupChange['set']): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const checked = checkGroupOption(key, value);
    if (!checked.ok) throw new ConfigRefused(checked.problem);
    entries.push([key, value]);
  }
  return entries;
}
