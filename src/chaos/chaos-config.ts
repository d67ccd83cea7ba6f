/**
 * What a chaos run may do: the cluster's size, its timings, how long faults go on, which kinds of
 * fault, and how often. The same config and seed give the same run.
 */
import { DEFAULT_TIMING, formatDuration, REFERENCE_TIMING } from '../common/timing.ts';
import { roundMsFor } from '../sim/simulator.ts';

export const FAULT_KINDS = [
  'power', // power off/on, reboot, clean shutdown
  'network', // a node's network cut and healed
  'storage', // one node cut from the shared storage
  'store', // the store slow or briefly down
  'stale', // a node's reads of leases and status files lag behind
  'crash', // CRM, LRM or watchdog multiplexer crash (restarted at once), LRM restart
  'pause', // HA daemons SIGSTOPped, then resumed
  'drift', // a node's clock runs fast or slow within bounds
  'service', // service start/stop/migrate failures
  'config', // requested state edits (disable/enable/stop)
  'cli', // migrate, relocate, stop, node maintenance requests
  'unmanaged', // services running unmanaged on a quiet node: never seen, or leaving `ignored` while cut off
  'rules', // HA rules added, changed and removed while faults go on (rule-schedule.ts)
  'disarm', // disarm-ha freeze|ignore, arm-ha later (or at the heal)
  'fence', // a fence.cfg (IPMI, PDUs, kdump, watchdog none, soft fence) with device faults and kdump crashes (fence-schedule.ts)
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Relative frequency of each kind among the events of a batch. */
export const DEFAULT_FAULT_WEIGHTS: Readonly<Record<FaultKind, number>> = {
  power: 3,
  network: 4,
  storage: 2,
  store: 1,
  stale: 2,
  crash: 2,
  pause: 2,
  drift: 1,
  service: 3,
  config: 3,
  cli: 4,
  disarm: 1,
  // Not drawn per event: a plan has this schedule or not (unmanaged-schedule.ts, half the seeds).
  unmanaged: 0,
  // Not drawn per event either: half the seeds get a schedule of rule edits (rule-schedule.ts).
  rules: 0,
  // Not drawn per event: two seeds in five get a fence.cfg and a schedule of fence faults (fence-schedule.ts).
  fence: 0,
};

/**
 * The timings a chaos run may use: `default`, an ha.cfg that sets nothing (fence_timeout 60 s, rounds
 * of 3 s), what the daemons run; `reference`, Proxmox's, with the reference model's 20 s rounds.
 */
export const CHAOS_TIMINGS = { default: DEFAULT_TIMING, reference: REFERENCE_TIMING } as const;
export type ChaosTimingName = keyof typeof CHAOS_TIMINGS;

export function parseChaosTiming(text: string): ChaosTimingName | string {
  if (Object.hasOwn(CHAOS_TIMINGS, text)) return text as ChaosTimingName;
  return `--timing: expected one of ${Object.keys(CHAOS_TIMINGS).join(', ')}, got '${text}'`;
}

export interface ChaosConfig {
  readonly nodes: number;
  readonly timing: ChaosTimingName;
  readonly services: number;
  /** How long faults are injected, in simulated seconds, before they stop. */
  readonly durationS: number;
  readonly faults: readonly FaultKind[];
  /** Mean number of fault events per 100 s command slot. */
  readonly eventsPerSlot: number;
}

export const DEFAULT_CHAOS_CONFIG: ChaosConfig = {
  nodes: 5,
  timing: 'default',
  services: 20,
  durationS: 1000,
  faults: FAULT_KINDS,
  eventsPerSlot: 3,
};

/** Limits: beyond them a run says nothing more but costs much more. */
export const CHAOS_NODES_MAX = 29;
export const CHAOS_SERVICES_MAX = 2000;
export const CHAOS_DURATION_S_MAX = 36_000;

/** Parses `--faults all` or a comma list of kinds; returns a message when it is not valid. */
export function parseFaultKinds(text: string): FaultKind[] | string {
  if (text === 'all') return [...FAULT_KINDS];
  const kinds = text.split(',').map((word) => word.trim()).filter((word) => word.length > 0);
  const unknown = kinds.filter((kind) => !(FAULT_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) return `--faults: unknown kind '${unknown.join(',')}', expected 'all' or a list of ${FAULT_KINDS.join(',')}`;
  if (kinds.length === 0) return `--faults: expected 'all' or a list of ${FAULT_KINDS.join(',')}`;
  return kinds as FaultKind[];
}

export function validateChaosConfig(config: ChaosConfig): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(config.nodes) || config.nodes < 3 || config.nodes > CHAOS_NODES_MAX) problems.push(`--nodes: expected 3..${CHAOS_NODES_MAX}, got ${config.nodes}`);
  if (!Number.isInteger(config.services) || config.services < 1 || config.services > CHAOS_SERVICES_MAX) {
    problems.push(`--services: expected 1..${CHAOS_SERVICES_MAX}, got ${config.services}`);
  }
  if (!Number.isInteger(config.durationS) || config.durationS < 100 || config.durationS > CHAOS_DURATION_S_MAX) {
    problems.push(`--duration: expected 100..${CHAOS_DURATION_S_MAX} seconds, got ${config.durationS}`);
  }
  if (!(config.eventsPerSlot >= 0 && config.eventsPerSlot <= 50)) problems.push(`fault rate: expected 0..50 events per slot, got ${config.eventsPerSlot}`);
  return problems;
}

/** One line that says what a run injects (printed before the first seed). */
export function describeChaosConfig(config: ChaosConfig): string {
  const weights = config.faults.map((kind) => (kind === 'unmanaged' || kind === 'rules' ? `${kind}:½ of the seeds` : kind === 'fence' ? `${kind}:⅖ of the seeds` : `${kind}:${DEFAULT_FAULT_WEIGHTS[kind]}`)).join(' ');
  const timing = CHAOS_TIMINGS[config.timing];
  const timingText = `timing ${config.timing} (fence_timeout ${formatDuration(timing.leaseTimeoutMs)}, simulated rounds of ${formatDuration(roundMsFor(config.nodes, timing))})`;
  return `${config.nodes} nodes, ${config.services} services, ${timingText}, faults for ${config.durationS} s, ${config.eventsPerSlot} events per 100 s slot, weights ${weights}`;
}
