import { DEFAULT_CLUSTER_SETTINGS, type ClusterSettings, type NodeCapacity, type ServiceSize } from '../common/ha-config.ts';
import { PLACEMENT_MODES, SHUTDOWN_POLICIES } from '../common/states.ts';
import { REFERENCE_TIMING, timingViolations, type Timing } from '../common/timing.ts';
import { checkDurationMs, checkFlag, checkNodeName, checkOneOf, checkPositiveInteger, forOption, type Checked } from './config-values.ts';
import { checkSid } from './resources.ts';
import { ConfigError, type Section } from './section-config.ts';

/** One LRM runs at most this many service actions at once; more only thrash the node. */
export const WORKERS_MAX = 64;
/** Node capacities are sanity-checked against this many CPUs and MiB. */
const NODE_CPUS_MAX = 65_536;
const NODE_MEMORY_MIB_MAX = 1024 ** 3;

/** The options of the `ha: cluster` section of ha.cfg and the Timing field each duration sets. */
export const TIMING_OPTIONS: Readonly<Record<string, keyof Timing>> = {
  lease_timeout: 'leaseTimeoutMs',
  watchdog_client_timeout: 'watchdogClientTimeoutMs',
  watchdog_device_timeout: 'watchdogDeviceTimeoutMs',
  renewal_max: 'renewalMaxMs',
  drift_margin: 'driftMarginMs',
  fence_delay: 'fenceDelayMs',
  round: 'roundMs',
};
const SETTING_OPTIONS = ['shutdown_policy', 'max_workers', 'placement', 'rebalance_on_start'];

export interface HaSettings {
  readonly settings: ClusterSettings;
  readonly timing: Timing;
  readonly nodeCapacities: Record<string, NodeCapacity>;
  /** Sizes of services for static placement; an entry for a sid that is not a resource is harmless. */
  readonly serviceSizes: Record<string, ServiceSize>;
}

/** Cluster settings of parsed ha.cfg sections; throws ConfigError naming the file and line of the first problem. */
export function settingsFromSections(sections: readonly Section[], file: string): HaSettings {
  const nodeCapacities: Record<string, NodeCapacity> = {};
  const serviceSizes: Record<string, ServiceSize> = {};
  let clusterSection: Section | undefined;
  for (const section of sections) {
    if (section.type === 'service') {
      const sid = checkSid(section.id);
      if (!sid.ok) throw new ConfigError(file, section.line, sid.problem);
      if (Object.hasOwn(serviceSizes, section.id)) throw new ConfigError(file, section.line, `Duplicate service '${section.id}'`);
      const size = sizeFrom(section, file, 0);
      serviceSizes[section.id] = { maxCpu: size.cpus, maxMemBytes: size.memoryBytes };
    } else if (section.type === 'ha') {
      if (clusterSection) throw new ConfigError(file, section.line, `Duplicate 'ha' section (the first is on line ${clusterSection.line})`);
      clusterSection = section;
    } else if (section.type === 'node') {
      const name = checkNodeName(section.id);
      if (!name.ok) throw new ConfigError(file, section.line, name.problem);
      if (Object.hasOwn(nodeCapacities, section.id)) throw new ConfigError(file, section.line, `Duplicate node '${section.id}'`);
      nodeCapacities[section.id] = sizeFrom(section, file, 1);
    } else {
      throw new ConfigError(file, section.line, `Unknown section type '${section.type}', expected 'ha', 'node' or 'service'`);
    }
  }
  const { settings, timing } = clusterSection ? clusterFrom(clusterSection, file) : { settings: DEFAULT_CLUSTER_SETTINGS, timing: REFERENCE_TIMING };
  return { settings, timing, nodeCapacities, serviceSizes };
}

function clusterFrom(section: Section, file: string): { settings: ClusterSettings; timing: Timing } {
  const timing: Record<string, number> = { ...REFERENCE_TIMING };
  const settings: Record<string, unknown> = { ...DEFAULT_CLUSTER_SETTINGS };
  for (const { key, value, line } of section.properties) {
    const checked = checkSettingOption(key, value);
    if (!checked.ok) throw new ConfigError(file, line, checked.problem);
    const timingField = TIMING_OPTIONS[key];
    if (timingField !== undefined) timing[timingField] = checked.value as number;
    if (key === 'shutdown_policy') settings.shutdownPolicy = checked.value;
    if (key === 'placement') settings.placement = checked.value;
    if (key === 'max_workers') settings.maxWorkers = checked.value;
    if (key === 'rebalance_on_start') settings.rebalanceOnStart = checked.value;
  }
  const violations = timingViolations(timing as unknown as Timing);
  if (violations.length > 0) {
    throw new ConfigError(file, section.line, `Unsafe timings: ${violations.join('; ')}`);
  }
  return { settings: settings as unknown as ClusterSettings, timing: timing as unknown as Timing };
}

/** Checks one option of the `ha` section; the problem names the option. */
export function checkSettingOption(key: string, value: string): Checked<unknown> {
  const prefix = (checked: Checked<unknown>): Checked<unknown> => forOption(key, checked);
  if (TIMING_OPTIONS[key] !== undefined) {
    const duration = checkDurationMs(value);
    if (duration.ok && duration.value === 0) return { ok: false, problem: `Option '${key}': Bad duration '${value}', it must be positive` };
    return prefix(duration);
  }
  switch (key) {
    case 'shutdown_policy':
      return prefix(checkOneOf(SHUTDOWN_POLICIES, value));
    case 'placement':
      return prefix(checkOneOf(PLACEMENT_MODES, value));
    case 'max_workers':
      return prefix(checkPositiveInteger(value, WORKERS_MAX));
    case 'rebalance_on_start':
      return prefix(checkFlag(value));
    default: {
      const known = [...Object.keys(TIMING_OPTIONS), ...SETTING_OPTIONS].join(', ');
      return { ok: false, problem: `Unknown ha option '${key}', expected one of ${known}` };
    }
  }
}

/** CPUs and memory (MiB) of a `node:` or `service:` section; a service may give 0 CPUs (all of a node's). */
function sizeFrom(section: Section, file: string, cpusMin: number): NodeCapacity {
  const kind = section.type;
  let cpus: number | undefined;
  let memoryMib: number | undefined;
  for (const { key, value, line } of section.properties) {
    if (key !== 'cpus' && key !== 'memory') throw new ConfigError(file, line, `Unknown ${kind} option '${key}', expected cpus or memory`);
    const checked =
      key === 'cpus' && cpusMin === 0 && value === '0' ? { ok: true as const, value: 0 } : checkPositiveInteger(value, key === 'cpus' ? NODE_CPUS_MAX : NODE_MEMORY_MIB_MAX);
    if (!checked.ok) throw new ConfigError(file, line, `Option '${key}': ${checked.problem}`);
    if (key === 'cpus') cpus = checked.value;
    else memoryMib = checked.value;
  }
  const name = kind === 'node' ? `Node '${section.id}'` : `Service '${section.id}'`;
  if (cpus === undefined || memoryMib === undefined) throw new ConfigError(file, section.line, `${name} needs both 'cpus' and 'memory' (MiB)`);
  return { cpus, memoryBytes: memoryMib * 1024 * 1024 };
}
