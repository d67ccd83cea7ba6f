import { DEFAULT_CLUSTER_SETTINGS, REBALANCE_METHODS, type AutoRebalanceSettings, type ClusterSettings, type NodeCapacity, type ServiceSize } from '../common/ha-config.ts';
import { PLACEMENT_MODES, SHUTDOWN_POLICIES } from '../common/states.ts';
import { DEFAULT_FENCE_TIMEOUT_MS, DEFAULT_TIMING, deriveTiming, TIMING_OPTION_NAMES, timingViolations, type Timing, type TimingField } from '../common/timing.ts';
import { checkDurationMs, checkFlag, checkNodeName, checkOneOf, checkPositiveInteger, forOption, type Checked } from './config-values.ts';
import { DEFAULT_DRIVER_KINDS, parseDriverKinds, type DriverKind } from '../common/driver-kinds.ts';
import { checkSid } from './resources.ts';
import { ConfigError, type Section } from './section-config.ts';
import { assert } from '../common/assert.ts';

/** One LRM runs at most this many service actions at once; more only thrash the node. */
export const WORKERS_MAX = 64;
/** Node capacities are sanity-checked against this many CPUs and MiB. */
const NODE_CPUS_MAX = 65_536;
const NODE_MEMORY_MIB_MAX = 1024 ** 3;

/** The options of the `ha: cluster` section of ha.cfg and the Timing field each duration sets. */
export const TIMING_OPTIONS: Readonly<Record<string, TimingField>> = Object.fromEntries(
  Object.entries(TIMING_OPTION_NAMES).map(([field, option]) => [option, field as TimingField]),
);
/**
 * `lease_timeout` was the name of the fence timeout before there was one knob. It is refused rather
 * than kept as an alias: one value under two names is one more thing that can disagree.
 */
const RENAMED_OPTIONS: Readonly<Record<string, string>> = { lease_timeout: 'fence_timeout' };
/** The automatic-rebalancing options (README-5.2 §7.4) and the field of AutoRebalanceSettings each sets. */
const AUTO_REBALANCE_OPTIONS: Readonly<Record<string, keyof AutoRebalanceSettings>> = {
  auto_rebalance: 'isEnabled',
  auto_rebalance_threshold: 'threshold',
  auto_rebalance_method: 'method',
  auto_rebalance_hold: 'holdRounds',
  auto_rebalance_margin: 'margin',
};
/** Rounds of hold before a rebalancing move: a day of 10-second rounds is already far beyond any use. */
const REBALANCE_HOLD_ROUNDS_MAX = 8640;
const SETTING_OPTIONS = ['shutdown_policy', 'max_workers', 'placement', 'rebalance_on_start', 'drivers', ...Object.keys(AUTO_REBALANCE_OPTIONS)];

export interface HaSettings {
  readonly settings: ClusterSettings;
  readonly timing: Timing;
  /** Capacities of the `node:` sections that give them (static placement). */
  readonly nodeCapacities: Record<string, NodeCapacity>;
  /** The declared nodes of the cluster: every `node:` section, with or without a capacity. */
  readonly nodes: Record<string, NodeDeclaration>;
  /** Sizes of services for static placement; an entry for a sid that is not a resource is harmless. */
  readonly serviceSizes: Record<string, ServiceSize>;
  /** Service type → driver of the cluster: the built-in mapping with ha.cfg's `drivers` applied. */
  readonly driverKinds: Readonly<Record<string, DriverKind>>;
}

/** One `node: <name>` section of ha.cfg: a known node of the cluster (contract: docs/cli.md "Known nodes"). */
export interface NodeDeclaration {
  /** Its capacity for static placement; undefined when the section gives none. */
  readonly capacity: NodeCapacity | undefined;
  readonly comment: string | undefined;
  readonly line: number;
}

/** Cluster settings of parsed ha.cfg sections; throws ConfigError naming the file and line of the first problem. */
export function settingsFromSections(sections: readonly Section[], file: string): HaSettings {
  const nodeCapacities: Record<string, NodeCapacity> = {};
  const nodes: Record<string, NodeDeclaration> = {};
  const serviceSizes: Record<string, ServiceSize> = {};
  let clusterSection: Section | undefined;
  for (const section of sections) {
    if (section.type === 'service') {
      const sid = checkSid(section.id);
      if (!sid.ok) throw new ConfigError(file, section.line, sid.problem);
      if (Object.hasOwn(serviceSizes, section.id)) throw new ConfigError(file, section.line, `Duplicate service '${section.id}'`);
      const size = sizeFrom(section, file, 0);
      assert(size !== undefined, 'A service section without a size is refused by sizeFrom');
      serviceSizes[section.id] = { maxCpu: size.cpus, maxMemBytes: size.memoryBytes };
    } else if (section.type === 'ha') {
      if (clusterSection) throw new ConfigError(file, section.line, `Duplicate 'ha' section (the first is on line ${clusterSection.line})`);
      clusterSection = section;
    } else if (section.type === 'node') {
      const name = checkNodeName(section.id);
      if (!name.ok) throw new ConfigError(file, section.line, name.problem);
      if (Object.hasOwn(nodes, section.id)) throw new ConfigError(file, section.line, `Duplicate node '${section.id}'`);
      const capacity = sizeFrom(section, file, 1);
      if (capacity) nodeCapacities[section.id] = capacity;
      const comment = section.properties.find((property) => property.key === 'comment')?.value;
      nodes[section.id] = { capacity, comment, line: section.line };
    } else {
      throw new ConfigError(file, section.line, `Unknown section type '${section.type}', expected 'ha', 'node' or 'service'`);
    }
  }
  const cluster = clusterSection ? clusterFrom(clusterSection, file) : { settings: DEFAULT_CLUSTER_SETTINGS, timing: DEFAULT_TIMING, drivers: {} };
  const driverKinds = { ...DEFAULT_DRIVER_KINDS, ...cluster.drivers };
  const { settings, timing } = cluster;
  if (settings.placement === 'static') {
    // Static placement silently counts services when an online node has no capacity: a declared node
    // without one under placement static is a mistake said here, not a placement that quietly differs.
    const bare = Object.entries(nodes).find(([, node]) => node.capacity === undefined);
    if (bare) throw new ConfigError(file, bare[1].line, `Node '${bare[0]}' needs 'cpus' and 'memory' (MiB) with placement static`);
  }
  return { settings, timing, nodeCapacities, nodes, serviceSizes, driverKinds };
}

function clusterFrom(section: Section, file: string): { settings: ClusterSettings; timing: Timing; drivers: Record<string, DriverKind> } {
  const explicit = new Map<TimingField, { value: number; line: number }>();
  const settings: Record<string, unknown> = { ...DEFAULT_CLUSTER_SETTINGS };
  let drivers: Record<string, DriverKind> = {};
  for (const { key, value, line } of section.properties) {
    const checked = checkSettingOption(key, value);
    if (!checked.ok) throw new ConfigError(file, line, checked.problem);
    const timingField = TIMING_OPTIONS[key];
    if (timingField !== undefined) explicit.set(timingField, { value: checked.value as number, line });
    if (key === 'shutdown_policy') settings.shutdownPolicy = checked.value;
    if (key === 'placement') settings.placement = checked.value;
    if (key === 'max_workers') settings.maxWorkers = checked.value;
    if (key === 'rebalance_on_start') settings.rebalanceOnStart = checked.value;
    if (key === 'drivers') drivers = checked.value as Record<string, DriverKind>;
    const rebalanceField = AUTO_REBALANCE_OPTIONS[key];
    if (rebalanceField !== undefined) settings.autoRebalance = { ...(settings.autoRebalance as AutoRebalanceSettings), [rebalanceField]: checked.value };
  }
  return { settings: settings as unknown as ClusterSettings, timing: timingFrom(explicit, { file, sectionLine: section.line }), drivers };
}

/**
 * The timings derived from fence_timeout with the explicitly set ones in place, checked by the timing
 * rules; a broken rule is reported on the line of the last option it involves that the file sets.
 */
function timingFrom(explicit: ReadonlyMap<TimingField, { value: number; line: number }>, where: { file: string; sectionLine: number }): Timing {
  const overrides: Record<string, number> = {};
  for (const [field, { value }] of explicit) if (field !== 'leaseTimeoutMs') overrides[field] = value;
  const timing = deriveTiming(explicit.get('leaseTimeoutMs')?.value ?? DEFAULT_FENCE_TIMEOUT_MS, overrides);
  const violations = timingViolations(timing);
  if (violations.length === 0) return timing;
  const lines = violations.flatMap((violation) => violation.fields.map((field) => explicit.get(field)?.line ?? where.sectionLine));
  const derived = explicit.size < Object.keys(TIMING_OPTION_NAMES).length ? ' (the others derived from fence_timeout)' : '';
  throw new ConfigError(where.file, Math.max(...lines), `Timings refused${derived}: ${violations.map((violation) => violation.message).join('; ')}`);
}

/**
 * The ha.cfg option lines (tab-indented) that give `timing`: fence_timeout, and each timing that differs
 * from what fence_timeout derives; what the file leaves out follows the derivation.
 */
export function timingOptionLines(timing: Timing): string[] {
  const derived = deriveTiming(timing.leaseTimeoutMs);
  const lines: string[] = [];
  for (const [field, option] of Object.entries(TIMING_OPTION_NAMES) as Array<[TimingField, string]>) {
    if (field === 'leaseTimeoutMs' || timing[field] !== derived[field]) lines.push(`\t${option} ${formatOptionDuration(timing[field])}`);
  }
  return lines;
}

/** `60` for whole seconds (as an operator writes it), `833ms` otherwise. */
function formatOptionDuration(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : `${ms}ms`;
}

/** Checks one option of the `ha` section; the problem names the option. */
export function checkSettingOption(key: string, value: string): Checked<unknown> {
  const prefix = (checked: Checked<unknown>): Checked<unknown> => forOption(key, checked);
  const renamed = RENAMED_OPTIONS[key];
  if (renamed !== undefined) return { ok: false, problem: `Option '${key}' is now '${renamed}' (the lease timeout is the fence timeout): rename it` };
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
    case 'drivers':
      return prefix(checkDriverKinds(value));
    case 'auto_rebalance':
      return prefix(checkFlag(value));
    case 'auto_rebalance_method':
      return prefix(checkOneOf(REBALANCE_METHODS, value));
    case 'auto_rebalance_hold':
      return prefix(value === '0' ? { ok: true, value: 0 } : checkPositiveInteger(value, REBALANCE_HOLD_ROUNDS_MAX));
    case 'auto_rebalance_threshold':
    case 'auto_rebalance_margin':
      return prefix(checkDecimal(value));
    default: {
      const known = [...Object.keys(TIMING_OPTIONS), ...SETTING_OPTIONS].join(', ');
      return { ok: false, problem: `Unknown ha option '${key}', expected one of ${known}` };
    }
  }
}

/** A plain non-negative decimal (`0.3`, `1`): the threshold and margin of automatic rebalancing. */
function checkDecimal(value: string): Checked<number> {
  if (!/^\d+(\.\d+)?$/.test(value)) return { ok: false, problem: `Bad number '${value}', expected a decimal like 0.3` };
  return { ok: true, value: Number(value) };
}

/** `vm=virsh,ct=lxc,...`: the daemons' `--drivers` syntax. */
function checkDriverKinds(value: string): Checked<Record<string, DriverKind>> {
  try {
    return { ok: true, value: parseDriverKinds(value) };
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
}

/**
 * CPUs and memory (MiB) of a `node:` or `service:` section; a service may give 0 CPUs (all of a node's).
 * A service needs both; a node both or neither (a node without them is declared, with no capacity).
 */
function sizeFrom(section: Section, file: string, cpusMin: number): NodeCapacity | undefined {
  const kind = section.type;
  let cpus: number | undefined;
  let memoryMib: number | undefined;
  for (const { key, value, line } of section.properties) {
    if (kind === 'node' && key === 'comment') continue;
    if (key !== 'cpus' && key !== 'memory') throw new ConfigError(file, line, `Unknown ${kind} option '${key}', expected ${kind === 'node' ? 'cpus, memory or comment' : 'cpus or memory'}`);
    const checked =
      key === 'cpus' && cpusMin === 0 && value === '0' ? { ok: true as const, value: 0 } : checkPositiveInteger(value, key === 'cpus' ? NODE_CPUS_MAX : NODE_MEMORY_MIB_MAX);
    if (!checked.ok) throw new ConfigError(file, line, `Option '${key}': ${checked.problem}`);
    if (key === 'cpus') cpus = checked.value;
    else memoryMib = checked.value;
  }
  if (kind === 'node' && cpus === undefined && memoryMib === undefined) return undefined;
  const name = kind === 'node' ? `Node '${section.id}'` : `Service '${section.id}'`;
  const either = kind === 'node' ? ' or neither' : '';
  if (cpus === undefined || memoryMib === undefined) throw new ConfigError(file, section.line, `${name} needs both 'cpus' and 'memory' (MiB)${either}`);
  return { cpus, memoryBytes: memoryMib * 1024 * 1024 };
}
