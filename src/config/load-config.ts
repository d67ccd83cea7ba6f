import { readFileSync } from 'node:fs';
import type { Timing } from '../common/timing.ts';
import type { HaConfig } from '../env/env.ts';
import { serviceTypesOf, type DriverKind } from '../common/driver-kinds.ts';
import { sharedPaths } from '../store/shared-dir.ts';
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

/**
 * Reads and checks resources.cfg, groups.cfg, rules.cfg, ha.cfg and fence.cfg of `sharedDir`; a missing
 * file is an empty one (no fence.cfg: `fence` stays undefined). Throws ConfigError (file, line, problem)
 * on the first problem and never returns half a config: a daemon that gets an error keeps the last
 * config that loaded.
 */
export function loadHaConfig(sharedDir: string): LoadedConfig {
  const loaded = configFromDocuments(readConfigDocuments(sharedDir));
  const fence = readFenceConfig(sharedPaths(sharedDir).fence);
  return fence === undefined ? loaded : { ...loaded, config: { ...loaded.config, fence } };
}

/** fence.cfg, or undefined when there is none (every node is fenced by its watchdog alone). */
export function readFenceConfig(file: string): FenceConfig | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: Cannot read: ${(error as Error).message}`);
  }
  return parseFenceConfig(decodeConfigText(bytes, file), file);
}

/**
 * The timings of ha.cfg alone, for a reader that needs them when another config file does not load
 * (`ha-manager status`); throws ConfigError when ha.cfg itself does not.
 */
export function loadTiming(sharedDir: string): Timing {
  const document = readDocument(sharedPaths(sharedDir).settings);
  return settingsFromSections(document.sections(), document.file).timing;
}

export function readConfigDocuments(sharedDir: string): ConfigDocuments {
  const paths = sharedPaths(sharedDir);
  return {
    groups: readDocument(paths.groups),
    rules: readDocument(paths.rules),
    resources: readDocument(paths.resources),
    settings: readDocument(paths.settings),
    masterNodes: readMasterNodes(paths.managerStatus),
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

function readDocument(file: string): SectionDocument {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return SectionDocument.parse('', file);
    throw new Error(`${file}: Cannot read: ${(error as Error).message}`);
  }
  return SectionDocument.parse(decodeConfigText(bytes, file), file);
}

/**
 * The node of every service in the manager status. Only a fallback for the config, so an unreadable
 * or corrupt status file counts as empty here; `ha-manager status` is where it is reported.
 */
function readMasterNodes(file: string): Record<string, string> {
  const nodes: Record<string, string> = {};
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { service_status?: Record<string, { node?: unknown }> };
    for (const [sid, service] of Object.entries(json.service_status ?? {})) if (typeof service?.node === 'string') nodes[sid] = service.node;
  } catch {
    return {};
  }
  return nodes;
}
