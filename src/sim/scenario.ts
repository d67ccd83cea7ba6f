import { compareNames } from '../common/compare-names.ts';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  DEFAULT_CLUSTER_SETTINGS,
  DEFAULT_MAX_RELOCATE,
  DEFAULT_MAX_RESTART,
  type ClusterSettings,
  type GroupConfig,
  type ResourceConfig,
  type RuleConfig,
  type ServiceSize,
} from '../common/ha-config.ts';
import { isValidSid } from '../common/sid.ts';
import { isPveManagerVersion } from '../common/pve-version.ts';
import { isOneOf, PLACEMENT_MODES, SHUTDOWN_POLICIES } from '../common/states.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import type { Timing } from '../common/timing.ts';
import { parseGroups } from '../config/groups.ts';
import { ConfigError, decodeConfigText } from '../config/section-config.ts';
import { SectionDocument } from '../config/section-document.ts';
import { settingsFromSections, TIMING_OPTIONS } from '../config/settings.ts';
import { parseManagerStatusJson } from '../common/manager-status-json.ts';
import type { ServiceLoad } from '../common/lrm-status.ts';
import { autoRebalanceOf, DEFAULT_DYNAMIC_LOAD, DEFAULT_STATIC_SIZE, nodeCapacityOf, parseDynamicStats, parseStaticStats } from './scenario-stats.ts';
import { parseCommand, type SimCommand } from './sim-commands.ts';
import { parseRulesFile } from './scenario-rules.ts';
import { parseFenceConfig } from '../fence/fence-config-file.ts';
import type { FenceConfig } from '../fence/fence-config.ts';

/** A scenario input problem; the message names the file and what is wrong. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

export interface SimNodeSpec {
  readonly isPoweredOn: boolean;
  readonly isNetworkOn: boolean;
  readonly cpus?: number;
  readonly memoryBytes?: number;
  /** hardware_status `pve-manager-version` (README-5.2 §1.1); absent: the reference's default, 9.0.0~2. */
  readonly pveManagerVersion?: string;
  /** Capacity given in 4.0.7's spelling (`cpus`/`memory`): the scenario follows 4.0.7's size rule. */
  readonly isLegacy?: boolean;
}

export interface Scenario {
  readonly name: string;
  readonly nodes: Readonly<Record<string, SimNodeSpec>>;
  readonly managerStatus: ManagerStatus;
  readonly resources: Record<string, ResourceConfig>;
  readonly groups: Record<string, GroupConfig>;
  /** `rules_config`: HA rules as in rules.cfg. */
  readonly rules: RuleConfig[];
  readonly settings: ClusterSettings;
  readonly serviceSizes: Record<string, ServiceSize>;
  /** 4.0.7's rule: a service without a static size gets one derived from its id (README-5.2 §1.6 removed it). */
  readonly derivesSizes?: boolean;
  /** What each service uses while it runs, for the dynamic scheduler (`dynamic_service_stats`). */
  readonly dynamicLoads?: Record<string, ServiceLoad>;
  /** Services already running at time 0, by node. */
  readonly running: Record<string, string[]>;
  readonly batches: SimCommand[][];
  /** The timings of the scenario's own `ha.cfg`; absent: Proxmox's (REFERENCE_TIMING), as the reference scenarios expect. */
  readonly timing?: Timing;
  /** The scenario's own `fence.cfg` (docs/fence-cfg.md); absent: every node is fenced by its watchdog alone. */
  readonly fence?: FenceConfig;
}

export function loadScenario(dir: string): Scenario {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ScenarioError(`${dir}: Not a scenario directory`);
  const nodes = parseHardware(readJson(dir, 'hardware_status', true), join(dir, 'hardware_status'));
  const nodeNames = Object.keys(nodes);
  const resources = parseResources(readJson(dir, 'service_config', true), join(dir, 'service_config'));
  for (const [sid, resource] of Object.entries(resources)) {
    if (resource.node === undefined || !(resource.node in nodes)) throw new ScenarioError(`${join(dir, 'service_config')}: Service ${sid} is on unknown node '${resource.node}'`);
  }
  const groupsFile = join(dir, 'groups');
  // No groups file, no groups: Proxmox VE 9 dropped 4.0.7's default prefer_node1..3, which no scenario uses.
  const groups = existsSync(groupsFile) ? parseGroupsFile(groupsFile) : {};
  const cmdlistFile = join(dir, 'cmdlist');
  const batches = parseCmdlist(readJson(dir, 'cmdlist', true), cmdlistFile, new Set(nodeNames));
  const running: Record<string, string[]> = {};
  for (const node of nodeNames) {
    const status = readJson(dir, `service_status_${node}`, false);
    if (status !== undefined) running[node] = Object.keys(objectIn(status, `service_status_${node}`)).filter((sid) => (status as Record<string, unknown>)[sid]);
  }
  const timing = parseTimingFile(join(dir, 'ha.cfg'));
  const fence = parseFenceFile(join(dir, 'fence.cfg'), new Set(nodeNames));
  checkFenceDevices(batches, fence, cmdlistFile);
  const stats = scenarioStats(dir, resources, Object.values(nodes).some((spec) => spec.isLegacy));
  return {
    name: basename(dir),
    nodes,
    managerStatus: parseManagerStatusFile(dir),
    resources,
    groups,
    rules: parseRulesFile(join(dir, 'rules_config')),
    settings: parseDatacenter(readJson(dir, 'datacenter.cfg', false), join(dir, 'datacenter.cfg')),
    ...stats,
    running,
    batches,
    ...(timing !== undefined ? { timing } : {}),
    ...(fence !== undefined ? { fence } : {}),
  };
}

/** A scenario's optional `fence.cfg`, read by the daemons' parser; every node it names must be in hardware_status. */
function parseFenceFile(file: string, nodes: ReadonlySet<string>): FenceConfig | undefined {
  if (!existsSync(file)) return undefined;
  let config: FenceConfig;
  try {
    config = parseFenceConfig(decodeConfigText(readFileSync(file), file), file);
  } catch (error) {
    if (error instanceof ConfigError) throw new ScenarioError(error.message);
    throw new ScenarioError(`${file}: Cannot read: ${(error as Error).message}`);
  }
  const named = [
    ...config.connects.map((connect) => ({ node: connect.node, line: connect.line })),
    ...Object.entries(config.nodes).map(([node, settings]) => ({ node, line: settings.line })),
    ...config.proxyOrder.map((node) => ({ node, line: undefined })),
  ];
  const unknown = named.find((entry) => !nodes.has(entry.node));
  if (unknown) throw new ScenarioError(`${file}${unknown.line !== undefined ? `:${unknown.line}` : ''}: Unknown node '${unknown.node}' (hardware_status has ${[...nodes].join(', ')})`);
  return config;
}

/** A `fence-device` command (also inside `after`) must name a device of the scenario's fence.cfg. */
function checkFenceDevices(batches: readonly SimCommand[][], fence: FenceConfig | undefined, file: string): void {
  batches.forEach((batch, index) => {
    for (const command of batch) {
      const problem = fenceDeviceProblem(command, fence);
      if (problem !== undefined) throw new ScenarioError(`${file}: Batch ${index + 1}: ${problem}`);
    }
  });
}

/** Why a command cannot run in a scenario with this fence.cfg: a `fence-device` of a device it lacks. */
export function fenceDeviceProblem(outer: SimCommand, fence: FenceConfig | undefined): string | undefined {
  const command = outer.kind === 'after' ? outer.command : outer;
  const ids = new Set(fence?.devices.map((device) => device.id));
  if (command.kind !== 'fence-device' || ids.has(command.deviceId)) return undefined;
  const known = ids.size > 0 ? `fence.cfg has ${[...ids].join(', ')}` : 'the scenario has no fence.cfg';
  return `'${outer.text}': unknown fence device '${command.deviceId}' (${known})`;
}

/** The input files of a scenario directory, as `loadScenario` reads them (all but `cmdlist`). */
export function scenarioInputFiles(dir: string): string[] {
  const fixed = ['README', 'hardware_status', 'manager_status', 'service_config', 'groups', 'rules_config', 'datacenter.cfg', 'ha.cfg', 'fence.cfg', 'static_service_stats', 'dynamic_service_stats'];
  const statuses = readdirSync(dir).filter((name) => name.startsWith('service_status_'));
  return [...fixed, ...statuses.sort()].filter((name) => existsSync(join(dir, name)));
}

/**
 * A scenario's optional `ha.cfg`: one `ha: cluster` section of timings (fence_timeout and what it
 * derives), read by the same parser as a shared directory's ha.cfg. Everything else a scenario sets
 * has its own file (datacenter.cfg, static_service_stats), so other options are refused here.
 */
function parseTimingFile(file: string): Timing | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const sections = SectionDocument.parse(decodeConfigText(readFileSync(file), file), file).sections();
    const { timing } = settingsFromSections(sections, file);
    for (const section of sections) {
      if (section.type !== 'ha') throw new ConfigError(file, section.line, `A scenario's ha.cfg holds only the 'ha: cluster' timings, not '${section.type}' sections`);
      const other = section.properties.find((property) => TIMING_OPTIONS[property.key] === undefined);
      if (other) throw new ConfigError(file, other.line, `A scenario's ha.cfg holds only timings; '${other.key}' belongs in datacenter.cfg`);
    }
    return timing;
  } catch (error) {
    if (error instanceof ConfigError) throw new ScenarioError(error.message);
    throw new ScenarioError(`${file}: Cannot read: ${(error as Error).message}`);
  }
}

function readJson(dir: string, name: string, isRequired: boolean): unknown {
  const file = join(dir, name);
  if (!existsSync(file)) {
    if (isRequired) throw new ScenarioError(`${file}: Missing required file`);
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ScenarioError(`${file}: Cannot read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`${file}: Bad JSON: ${(error as Error).message}`);
  }
}

function objectIn(value: unknown, file: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScenarioError(`${file}: Expected a JSON object`);
  return value as Record<string, unknown>;
}

function parseHardware(json: unknown, file: string): Record<string, SimNodeSpec> {
  const nodes: Record<string, SimNodeSpec> = {};
  for (const [node, raw] of Object.entries(objectIn(json, file))) {
    const spec = objectIn(raw, `${file} (node ${node})`);
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(node)) throw new ScenarioError(`${file}: Bad node name '${node}'`);
    const version = spec['pve-manager-version'];
    if (version !== undefined && (typeof version !== 'string' || !isPveManagerVersion(version))) {
      throw new ScenarioError(`${file}: Bad pve-manager-version ${JSON.stringify(version)} of ${node}, expected e.g. 9.0.0~16 or 8.4.1`);
    }
    nodes[node] = {
      isPoweredOn: spec.power === 'on',
      isNetworkOn: spec.network === 'on',
      ...statsIn(() => nodeCapacityOf(spec, file, node)),
      ...(version !== undefined ? { pveManagerVersion: version } : {}),
    };
  }
  if (Object.keys(nodes).length === 0) throw new ScenarioError(`${file}: No nodes`);
  return Object.fromEntries(Object.entries(nodes).sort(([a], [b]) => compareNames(a, b)));
}

/** Parses service_config (also used for `service <sid> add`). */
export function parseResources(json: unknown, file: string): Record<string, ResourceConfig> {
  const resources: Record<string, ResourceConfig> = {};
  for (const [sid, raw] of Object.entries(objectIn(json, file))) {
    if (!isValidSid(sid)) throw new ScenarioError(`${file}: Bad service id '${sid}', expected type:name`);
    const entry = objectIn(raw, `${file} (${sid})`);
    if (typeof entry.node !== 'string') throw new ScenarioError(`${file}: Service ${sid} has no node`);
    resources[sid] = resourceFrom(entry, file, sid);
  }
  return resources;
}

function resourceFrom(entry: Record<string, unknown>, file: string, sid: string): ResourceConfig {
  const rawState = entry.state === undefined ? 'disabled' : entry.state === 'enabled' ? 'started' : entry.state;
  if (!isOneOf(['started', 'stopped', 'disabled', 'ignored'] as const, rawState)) {
    throw new ScenarioError(`${file}: Service ${sid} has unknown state '${String(entry.state)}'`);
  }
  const count = (key: string, fallback: number): number => {
    const value = entry[key] === undefined ? fallback : Number(entry[key]);
    if (!Number.isInteger(value) || value < 0) throw new ScenarioError(`${file}: Service ${sid} has bad ${key} '${String(entry[key])}'`);
    return value;
  };
  const flag = (key: string): boolean => {
    if (entry[key] !== 0 && entry[key] !== 1 && entry[key] !== '0' && entry[key] !== '1') throw new ScenarioError(`${file}: Service ${sid} has bad ${key} '${String(entry[key])}', expected 0 or 1`);
    return Number(entry[key]) === 1;
  };
  return {
    node: entry.node as string,
    state: rawState,
    ...(typeof entry.group === 'string' ? { group: entry.group } : {}),
    maxRestart: count('max_restart', DEFAULT_MAX_RESTART),
    maxRelocate: count('max_relocate', DEFAULT_MAX_RELOCATE),
    ...(entry.failback !== undefined ? { failback: flag('failback') } : {}),
  };
}

function parseManagerStatusFile(dir: string): ManagerStatus {
  const file = join(dir, 'manager_status');
  const json = readJson(dir, 'manager_status', true);
  try {
    return parseManagerStatusJson(json, file);
  } catch (error) {
    throw new ScenarioError((error as Error).message);
  }
}

function parseGroupsFile(file: string): Record<string, GroupConfig> {
  try {
    return parseGroups(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof ConfigError) throw new ScenarioError(error.message);
    throw new ScenarioError(`${file}: Cannot read: ${(error as Error).message}`);
  }
}

function parseDatacenter(json: unknown, file: string): ClusterSettings {
  if (json === undefined) return { ...DEFAULT_CLUSTER_SETTINGS };
  const root = objectIn(json, file);
  const ha = root.ha === undefined ? {} : objectIn(root.ha, `${file} (ha)`);
  const crs = root.crs === undefined ? {} : objectIn(root.crs, `${file} (crs)`);
  const shutdownPolicy = ha.shutdown_policy ?? DEFAULT_CLUSTER_SETTINGS.shutdownPolicy;
  if (!isOneOf(SHUTDOWN_POLICIES, shutdownPolicy)) throw new ScenarioError(`${file}: Unknown shutdown_policy '${String(shutdownPolicy)}'`);
  const placement = crs.ha ?? DEFAULT_CLUSTER_SETTINGS.placement;
  if (!isOneOf(PLACEMENT_MODES, placement)) throw new ScenarioError(`${file}: Unknown crs.ha '${String(placement)}'`);
  const rebalance = crs['ha-rebalance-on-start'];
  const autoRebalance = statsIn(() => autoRebalanceOf(crs, file));
  return { ...DEFAULT_CLUSTER_SETTINGS, shutdownPolicy, placement, rebalanceOnStart: rebalance === 1 || rebalance === '1' || rebalance === true, autoRebalance };
}

/** Runs a parser of scenario-stats.ts, whose problems are plain Errors naming the file. */
function statsIn<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new ScenarioError((error as Error).message);
  }
}

/**
 * Static sizes and dynamic loads with 5.2.0's defaults (README-5.2 §1.6, §1.10): without
 * `static_service_stats` every service configured at start is 4 CPUs / 4096 MiB (4.0.7: sizes
 * derived from ids, for every service without an entry); without `dynamic_service_stats` every
 * service with a size uses 2 CPUs / 2048 MiB while it runs.
 */
function scenarioStats(dir: string, resources: Record<string, ResourceConfig>, isLegacy: boolean): Pick<Scenario, 'serviceSizes' | 'derivesSizes' | 'dynamicLoads'> {
  const staticJson = readJson(dir, 'static_service_stats', false);
  const serviceSizes: Record<string, ServiceSize> =
    staticJson !== undefined ? statsIn(() => parseStaticStats(staticJson, join(dir, 'static_service_stats'))) : isLegacy ? {} : Object.fromEntries(Object.keys(resources).map((sid) => [sid, DEFAULT_STATIC_SIZE]));
  const dynamicJson = readJson(dir, 'dynamic_service_stats', false);
  const dynamicLoads: Record<string, ServiceLoad> =
    dynamicJson !== undefined ? statsIn(() => parseDynamicStats(dynamicJson, join(dir, 'dynamic_service_stats'))) : Object.fromEntries(Object.keys(serviceSizes).map((sid) => [sid, DEFAULT_DYNAMIC_LOAD]));
  return { serviceSizes, derivesSizes: isLegacy, dynamicLoads };
}

function parseCmdlist(json: unknown, file: string, nodes: ReadonlySet<string>): SimCommand[][] {
  if (!Array.isArray(json)) throw new ScenarioError(`${file}: Expected a JSON array of batches`);
  return json.map((batch, batchIndex) => {
    if (!Array.isArray(batch)) throw new ScenarioError(`${file}: Batch ${batchIndex + 1} is not an array`);
    return batch.map((command) => {
      if (typeof command !== 'string') throw new ScenarioError(`${file}: Batch ${batchIndex + 1}: command ${JSON.stringify(command)} is not a string`);
      const parsed = parseCommand(command, nodes);
      if (typeof parsed === 'string') throw new ScenarioError(`${file}: Batch ${batchIndex + 1}: ${parsed}`);
      return parsed;
    });
  });
}
