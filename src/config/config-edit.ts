import type { RequestedState } from '../common/states.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import type { ConfigChange, ConfigFileName, StoreUnavailable } from '../store/store-ports.ts';
import { ConfigUnavailable, configFromDocuments, readConfigDocuments, type ConfigDocuments, type LoadedConfig } from './load-config.ts';
import { ConfigError } from './section-config.ts';
import { SectionDocument } from './section-document.ts';

type DocumentName = 'groups' | 'rules' | 'resources' | 'settings';
const FILE_OF: Record<DocumentName, ConfigFileName> = { groups: 'groups.cfg', rules: 'rules.cfg', resources: 'resources.cfg', settings: 'ha.cfg' };
/** Edits that lost the compare-and-set this often in a row give up: something rewrites the config in a loop. */
const EDIT_ATTEMPTS_MAX = 20;

/** A change the configuration does not allow (an existing id, a group still in use); exit status 2. */
export class ConfigRefused extends Error {
  override name = 'ConfigRefused';
}

export type EditAttempt<T> = { readonly kind: 'written'; readonly result: T; readonly isChanged: boolean } | { readonly kind: 'conflict' } | StoreUnavailable;

/**
 * One read-modify-write of the config files of the store. The current files must load (a broken file
 * is reported, not overwritten); `edit` changes the documents; the result must load again before
 * anything is written; only changed files are written, all at once by compare-and-set on the versions
 * read (ConfigFiles.writeAll), so a concurrent edit is never lost: the loser reads again and retries.
 * Returns what `edit` returned. A dir store waits for the config lock as it was made to
 * (src/cli/cli-store.ts says a long wait).
 */
export function editConfig<T>(store: ClusterStore, edit: (documents: ConfigDocuments, current: LoadedConfig) => T): T {
  for (let attempt = 1; ; attempt++) {
    const outcome = tryEditConfig(store, edit);
    if (outcome.kind === 'written') return outcome.result;
    // The dir store's own error (EACCES on the lock, a lock held too long) says best what to do about it.
    if (outcome.kind === 'unavailable' && outcome.cause instanceof Error) throw outcome.cause;
    if (outcome.kind === 'unavailable') throw new ConfigUnavailable(`${store.where}: config not written: ${outcome.message}`);
    if (attempt >= EDIT_ATTEMPTS_MAX) throw new ConfigUnavailable(`${store.where}: config not written: it changed under ${EDIT_ATTEMPTS_MAX} attempts in a row`);
  }
}

/**
 * One attempt of `editConfig`: 'conflict' when a file changed since it was read (or, for a daemon's dir
 * store that never waits, the config lock is busy); nothing was written then. Throws what reading throws
 * (ConfigError, ConfigUnavailable) and ConfigRefused.
 */
export function tryEditConfig<T>(store: ClusterStore, edit: (documents: ConfigDocuments, current: LoadedConfig) => T): EditAttempt<T> {
  const documents = readConfigDocuments(store);
  const before = snapshot(documents);
  const current = configFromDocuments(documents);
  const result = edit(documents, current);
  const after = snapshot(documents);
  checkReparsed(documents, after);
  const changes: ConfigChange[] = [];
  for (const name of ['groups', 'rules', 'resources', 'settings'] as const) {
    if (after[name] !== before[name]) changes.push({ file: FILE_OF[name], text: after[name], expectedVersion: documents.versions?.[FILE_OF[name]] });
  }
  if (changes.length === 0) return { kind: 'written', result, isChanged: false };
  const written = store.config.writeAll(changes);
  return written.kind === 'written' ? { kind: 'written', result, isChanged: true } : written;
}

function snapshot(documents: ConfigDocuments): Record<DocumentName, string> {
  return { groups: documents.groups.render(), rules: documents.rules.render(), resources: documents.resources.render(), settings: documents.settings.render() };
}

/** Parses the new texts from scratch, so that a bug in an edit cannot write a file that would not load. */
function checkReparsed(documents: ConfigDocuments, texts: Record<DocumentName, string>): void {
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
export function updateResourceConfig(store: ClusterStore, sid: string, patch: ResourcePatch): boolean {
  return editConfig(store, (documents) => applyResourcePatches(documents, new Map([[sid, patch]])).length === 1);
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
