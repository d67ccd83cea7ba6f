import type { RequestedState } from '../common/states.ts';
import { writeFileAtomic } from '../store/atomic-write.ts';
import { withConfigLock } from '../store/config-lock.ts';
import { configFromDocuments, readConfigDocuments, type ConfigDocuments, type LoadedConfig } from './load-config.ts';
import { ConfigError } from './section-config.ts';
import { SectionDocument } from './section-document.ts';

type ConfigFileName = 'groups' | 'resources' | 'settings';

/** A change the configuration does not allow (an existing id, a group still in use); exit status 2. */
export class ConfigRefused extends Error {
  override name = 'ConfigRefused';
}

/**
 * One locked read-modify-write of the config files of `sharedDir`. The current files must load (a
 * broken file is reported, not overwritten); `edit` changes the documents; the result must load again
 * before anything is written; only changed files are written, each atomically. Returns what `edit`
 * returned.
 */
export function editConfig<T>(sharedDir: string, edit: (documents: ConfigDocuments, current: LoadedConfig) => T): T {
  return withConfigLock(sharedDir, () => {
    const documents = readConfigDocuments(sharedDir);
    const before = snapshot(documents);
    const current = configFromDocuments(documents);
    const result = edit(documents, current);
    const after = snapshot(documents);
    checkReparsed(documents, after);
    for (const name of ['groups', 'resources', 'settings'] as const) {
      if (after[name] !== before[name]) writeFileAtomic(documents[name].file, after[name]);
    }
    return result;
  });
}

function snapshot(documents: ConfigDocuments): Record<ConfigFileName, string> {
  return { groups: documents.groups.render(), resources: documents.resources.render(), settings: documents.settings.render() };
}

/** Parses the new texts from scratch, so that a bug in an edit cannot write a file that would not load. */
function checkReparsed(documents: ConfigDocuments, texts: Record<ConfigFileName, string>): void {
  try {
    configFromDocuments({
      groups: SectionDocument.parse(texts.groups, documents.groups.file),
      resources: SectionDocument.parse(texts.resources, documents.resources.file),
      settings: SectionDocument.parse(texts.settings, documents.settings.file),
      masterNodes: documents.masterNodes,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigRefused(`Change refused, it would make ${error.message}`);
  }
}

/**
 * What the master calls after it moved a service or changed its requested state (the `node` and
 * `state` lines of the resource). Returns false when the resource is gone meanwhile.
 */
export function updateResourceConfig(sharedDir: string, sid: string, patch: { node?: string; state?: RequestedState }): boolean {
  return editConfig(sharedDir, (documents) => {
    const colon = sid.indexOf(':');
    const [type, id] = [sid.slice(0, colon), sid.slice(colon + 1)];
    if (!documents.resources.find(type, id)) return false;
    if (patch.node !== undefined) documents.resources.setProperty(type, id, 'node', patch.node);
    if (patch.state !== undefined) documents.resources.setProperty(type, id, 'state', patch.state);
    return true;
  });
}
