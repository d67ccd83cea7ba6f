import type { Timing } from '../common/timing.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import type { ConfigFileName } from '../store/store-ports.ts';
import type { HaConfig } from '../env/env.ts';
import { serviceTypesOf, type DriverKind } from '../common/driver-kinds.ts';
import { groupsFromSections } from './groups.ts';
import { resourcesFromSections } from './resources.ts';
import { rulesFromSections } from './rules.ts';
import { decodeConfigText } from './section-config.ts';
import { parseFenceConfig } from '../fence/fence-config-file.ts';
import type { FenceConfig } from '../fence/fence-config.ts';
import { SectionDocument } from './section-document.ts';
import { settingsFromSections, type NodeDeclaration } from './settings.ts';

/** The config files of a shared directory, parsed but not yet checked against each other. */
export interface ConfigDocuments {
  readonly resources: SectionDocument;
  readonly groups: SectionDocument;
  readonly rules: SectionDocument;
  readonly settings: SectionDocument;
  /** Nodes of the services in status/manager.json, for resources written (by Proxmox) without a node. */
  readonly masterNodes: Readonly<Record<string, string>>;
  /** The store's version of each file as read (absent: the file was missing), for the compare-and-set of an edit. */
  readonly versions?: Readonly<Partial<Record<ConfigFileName, string>>>;
}

/** The configuration the daemons run with, the timings of ha.cfg, and its service type → driver mapping. */
export interface LoadedConfig {
  readonly config: HaConfig;
  readonly timing: Timing;
  /** The built-in mapping with ha.cfg's `drivers` applied; its types not mapped to `none` are the cluster's service types. */
  readonly driverKinds: Readonly<Record<string, DriverKind>>;
  /** The `node:` sections of ha.cfg: the declared nodes (empty in an older directory that declares none). */
  readonly nodes: Readonly<Record<string, NodeDeclaration>>;
}

/** The store could not be read (unreachable, EACCES, no etcd quorum): not a config problem. */
export class ConfigUnavailable extends Error {
  override name = 'ConfigUnavailable';
}

/**
 * Reads and checks resources.cfg, groups.cfg, rules.cfg, ha.cfg and fence.cfg of the store; a missing
 * file is an empty one (no fence.cfg: `fence` stays undefined). Throws ConfigError (file, line, problem)
 * on the first problem, ConfigUnavailable when the store cannot be read, and never returns half a
 * config: a daemon that gets an error keeps the last config that loaded.
 */
export function loadHaConfig(store: ClusterStore): LoadedConfig {
  const loaded = configFromDocuments(readConfigDocuments(store));
  const fence = readFenceConfig(store);
  return fence === undefined ? loaded : { ...loaded, config: { ...loaded.config, fence } };
}

/** fence.cfg, or undefined when there is none (every node is fenced by its watchdog alone). */
export function readFenceConfig(store: ClusterStore): FenceConfig | undefined {
  const text = readConfigText(store, 'fence.cfg');
  return text === undefined ? undefined : parseFenceConfig(text.text, store.configName('fence.cfg'));
}

/**
 * The timings of ha.cfg alone, for a reader that needs them when another config file does not load
 * (`ha-manager status`); throws ConfigError when ha.cfg itself does not.
 */
export function loadTiming(store: ClusterStore): Timing {
  const document = readDocument(store, 'ha.cfg');
  return settingsFromSections(document.sections(), document.file).timing;
}

export function readConfigDocuments(store: ClusterStore): ConfigDocuments {
  const versions: Partial<Record<ConfigFileName, string>> = {};
  const read = (file: ConfigFileName) => readDocument(store, file, versions);
  return {
    groups: read('groups.cfg'),
    rules: read('rules.cfg'),
    resources: read('resources.cfg'),
    settings: read('ha.cfg'),
    masterNodes: readMasterNodes(store),
    versions,
  };
}

/** Checks the documents against each other (a resource's group must exist) and builds the config. */
export function configFromDocuments(documents: ConfigDocuments): LoadedConfig {
  // ha.cfg first: its driver mapping says which service types resources.cfg may hold.
  const { settings, timing, nodeCapacities, nodes, serviceSizes, driverKinds } = settingsFromSections(documents.settings.sections(), documents.settings.file);
  const groups = groupsFromSections(documents.groups.sections(), documents.groups.file);
  const nodeOf = (sid: string) => (Object.hasOwn(documents.masterNodes, sid) ? documents.masterNodes[sid] : undefined);
  const serviceTypes = serviceTypesOf(driverKinds);
  const resources = resourcesFromSections(documents.resources.sections(), { file: documents.resources.file, groups, serviceTypes, nodeOf });
  const rules = rulesFromSections(documents.rules.sections(), documents.rules.file);
  return { config: { resources, groups, rules, settings, serviceSizes, nodeCapacities }, timing, driverKinds, nodes };
}

/** A config file's text and version, or undefined when it does not exist. */
export function readConfigText(store: ClusterStore, file: ConfigFileName): { readonly text: string; readonly version: string } | undefined {
  const read = store.config.read(file);
  if (read.kind === 'missing') return undefined;
  if (read.kind === 'unavailable') throw new ConfigUnavailable(`${store.configName(file)}: Cannot read: ${read.message}`);
  // The text as the files hold it: a byte that is not UTF-8 is reported with its line (section-config.ts).
  return { text: decodeConfigText(read.bytes ?? Buffer.from(read.text, 'utf8'), store.configName(file)), version: read.version };
}

function readDocument(store: ClusterStore, file: ConfigFileName, versions?: Partial<Record<ConfigFileName, string>>): SectionDocument {
  const read = readConfigText(store, file);
  if (read !== undefined && versions) versions[file] = read.version;
  return SectionDocument.parse(read?.text ?? '', store.configName(file));
}

/**
 * The node of every service in the manager status. Only a fallback for the config, so an unreadable
 * or corrupt status counts as empty here; `ha-manager status` is where it is reported.
 */
function readMasterNodes(store: ClusterStore): Record<string, string> {
  const read = store.status.readManagerStatus();
  const nodes: Record<string, string> = {};
  if (read.kind !== 'ok') return nodes;
  for (const [sid, service] of read.value.serviceStatus.entries()) nodes[sid] = service.node;
  return nodes;
}
