import type { RequestedState } from '../common/states.ts';
import { writeFileAtomic } from '../store/atomic-write.ts';
import { withConfigLock, type LockWaitOptions } from '../store/config-lock.ts';
import { configFromDocuments, readConfigDocuments, type ConfigDocuments, type LoadedConfig } from './load-config.ts';
import { ConfigError } from './section-config.ts';
import { SectionDocument } from './section-document.ts';

type ConfigFileName = 'groups' | 'rules' | 'resources' | 'settings';

/** A change the configuration does not allow (an existing id, a group still in use); exit status 2. */
export class ConfigRefused extends Error {
  override name = 'ConfigRefused';
}

/**
 * One locked read-modify-write of the config files of `sharedDir` (waiting for the lock: the CLI). The
 * current files must load (a broken file is reported, not overwritten); `edit` changes the documents;
 * the result must load again before anything is written; only changed files are written, each
 * atomically. Returns what `edit` returned. `lockWait.onWaiting` hears of a long wait for the lock.
 */
export function editConfig<T>(sharedDir: string, edit: (documents: ConfigDocuments, current: LoadedConfig) => T, lockWait: Pick<LockWaitOptions, 'onWaiting'> = {}): T {
  return withConfigLock(sharedDir, () => editConfigLocked(sharedDir, edit), lockWait);
}

/** The read-modify-write of `editConfig`, for a caller that already holds the config lock. */
export function editConfigLocked<T>(sharedDir: string, edit: (documents: ConfigDocuments, current: LoadedConfig) => T): T {
  const documents = readConfigDocuments(sharedDir);
  const before = snapshot(documents);
  const current = configFromDocuments(documents);
  const result = edit(documents, current);
  const after = snapshot(documents);
  checkReparsed(documents, after);
  for (const name of ['groups', 'rules', 'resources', 'settings'] as const) {
    if (after[name] !== before[name]) writeFileAtomic(documents[name].file, after[name]);
  }
  return result;
}

function snapshot(documents: ConfigDocuments): Record<ConfigFileName, string> {
  return { groups: documents.groups.render(), rules: documents.rules.render(), resources: documents.resources.render(), settings: documents.settings.render() };
}

/** Parses the new texts from scratch, so that a bug in an edit cannot write a file that would not load. */
function checkReparsed(documents: ConfigDocuments, texts: Record<ConfigFileName, string>): void {
  try {
    configFromDocuments({
      groups: SectionDocument.parse(texts.groups, documents.groups.file),
      rules: SectionDocument.parse(texts.rules, documents.rules.file),
      resources: SectionDocument.parse(texts.resources, documents.resources.file),
      settings: SectionDocument.parse(texts.settings, documents.settings.file),
      masterNodes: documents.masterNodes,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigRefused(`Change refused, it would make ${error.message}`);
  }
}

/** The `node` and `state` lines of a resource the master decided. */
export interface ResourcePatch {
  readonly node?: string;
  readonly state?: RequestedState;
}

/**
 * What the master records after it moved a service or changed its requested state (the `node` and
 * `state` lines of the resource), waiting for the lock. Returns false when the resource is gone meanwhile.
 */
export function updateResourceConfig(sharedDir: string, sid: string, patch: ResourcePatch): boolean {
  return editConfig(sharedDir, (documents) => applyResourcePatches(documents, new Map([[sid, patch]])).length === 1);
}

/** Sets the patched lines of every resource that still exists; returns the sids it patched. */
export function applyResourcePatches(documents: ConfigDocuments, patches: ReadonlyMap<string, ResourcePatch>): string[] {
  const patched: string[] = [];
  for (const [sid, patch] of patches) {
    const colon = sid.indexOf(':');
    const [type, id] = [sid.slice(0, colon), sid.slice(colon + 1)];
    if (!documents.resources.find(type, id)) continue;
    if (patch.node !== undefined) documents.resources.setProperty(type, id, 'node', patch.node);
    if (patch.state !== undefined) documents.resources.setProperty(type, id, 'state', patch.state);
    patched.push(sid);
  }
  return patched;
}
