import { ConfigRefused } from './config-edit.ts';
import type { ConfigDocuments, LoadedConfig } from './load-config.ts';
import { serviceTypesOf } from '../common/driver-kinds.ts';
import { checkResourceOption, checkServiceType, checkSid, RESOURCE_OPTIONS, type ResourceOption } from './resources.ts';

/** Options to set (as they are written in resources.cfg) and options to remove. */
export interface ResourceChange {
  readonly set: Readonly<Partial<Record<ResourceOption, string>>>;
  readonly delete: readonly string[];
}

/** Adds a resource to resources.cfg; refuses an existing sid and an unknown group. Without a node, the master places it. */
export function addResource(documents: ConfigDocuments, request: { current: LoadedConfig; sid: string; options: ResourceChange['set'] }): void {
  const { current, sid, options } = request;
  const { type, name } = checkedSid(sid);
  const known = checkServiceType(sid, type, serviceTypesOf(current.driverKinds));
  if (!known.ok) throw new ConfigRefused(known.problem);
  const existing = documents.resources.find(type, name);
  if (existing) {
    throw new ConfigRefused(`Resource ${sid} already exists (${documents.resources.file} line ${existing.line}); change it with 'ha-manager set ${sid}'`);
  }
  const entries = checkedOptions(current, options);
  documents.resources.addSection(type, name, entries);
}

/** Changes options of an existing resource. */
export function setResource(documents: ConfigDocuments, request: { current: LoadedConfig; sid: string; change: ResourceChange }): void {
  const { current, sid, change } = request;
  const { type, name } = existingSid(documents, sid);
  const entries = checkedOptions(current, change.set);
  for (const key of change.delete) {
    if (!Object.hasOwn(RESOURCE_OPTIONS, key)) {
      throw new ConfigRefused(`--delete: Unknown resource option '${key}', expected one of ${Object.keys(RESOURCE_OPTIONS).join(', ')}`);
    }
    if (Object.hasOwn(change.set, key)) throw new ConfigRefused(`--delete: Option '${key}' is both set and deleted`);
  }
  if (entries.length === 0 && change.delete.length === 0) throw new ConfigRefused(`Nothing to change for ${sid}: give an option or --delete`);
  for (const [key, value] of entries) documents.resources.setProperty(type, name, key, value);
  for (const key of change.delete) documents.resources.deleteProperty(type, name, key);
}

/** Removes a resource: the master then stops managing it (the service itself is left as it is). */
export function removeResource(documents: ConfigDocuments, sid: string): void {
  const { type, name } = existingSid(documents, sid);
  documents.resources.removeSection(type, name);
}

function checkedSid(sid: string): { type: string; name: string } {
  const checked = checkSid(sid);
  if (!checked.ok) throw new ConfigRefused(checked.problem);
  return checked.value;
}

function existingSid(documents: ConfigDocuments, sid: string): { type: string; name: string } {
  const parsed = checkedSid(sid);
  if (!documents.resources.find(parsed.type, parsed.name)) throw new ConfigRefused(unknownResourceMessage(sid));
  return parsed;
}

/** The one sentence for a sid that names no configured resource (also the simulator console's). */
export function unknownResourceMessage(sid: string): string {
  return `Unknown resource ${sid}; 'ha-manager config' lists them`;
}

function checkedOptions(current: LoadedConfig, options: ResourceChange['set']): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const checked = checkResourceOption(key, value);
    if (!checked.ok) throw new ConfigRefused(checked.problem);
    if (key === 'group' && !Object.hasOwn(current.config.groups, value)) {
      throw new ConfigRefused(`Unknown group '${value}'; create it with 'ha-manager groupadd ${value} --nodes ...'`);
    }
    entries.push([key, key === 'state' && value === 'enabled' ? 'started' : value]);
  }
  return entries;
}
