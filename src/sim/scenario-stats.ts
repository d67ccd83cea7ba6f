import {
  DEFAULT_AUTO_REBALANCE,
  REBALANCE_METHODS,
  type AutoRebalanceSettings,
  type ServiceSize,
} from '../common/ha-config.ts';
import type { ServiceLoad } from '../common/lrm-status.ts';
import { isOneOf } from '../common/states.ts';

/**
 * The scheduler inputs of a scenario (README-5.2 §1.1, §1.5, §1.6, §1.10): node capacities in
 * `hardware_status`, the `crs` keys of `datacenter.cfg`, `static_service_stats` and
 * `dynamic_service_stats`. Problems are thrown as `Error`s naming the file; scenario.ts turns them
 * into ScenarioErrors.
 */

const MIB = 1024 * 1024;
/** Without `static_service_stats`, every service configured at start has this size (5.2.0). */
export const DEFAULT_STATIC_SIZE: ServiceSize = { maxCpu: 4, maxMemBytes: 4096 * MIB };
/** Without `dynamic_service_stats`, every service with a static size uses this much while it runs. */
export const DEFAULT_DYNAMIC_LOAD: ServiceLoad = { cpu: 2, memBytes: 2048 * MIB };
/** A simulated node without `maxcpu`/`maxmem` measures as this big for the dynamic scheduler. */
export const DEFAULT_DYNAMIC_NODE = { cpus: 24, memoryBytes: 131072 * MIB } as const;

function fail(file: string, problem: string): never {
  throw new Error(`${file}: ${problem}`);
}

/**
 * A node's static capacity: `maxcpu`/`maxmem` (5.2.0), or the 4.0.7 spelling `cpus`/`memory`, which
 * also says that the scenario follows 4.0.7's size rule (`isLegacy`).
 */
export function nodeCapacityOf(spec: Record<string, unknown>, file: string, node: string): { cpus?: number; memoryBytes?: number; isLegacy: boolean } {
  const isLegacy = spec.cpus !== undefined || spec.memory !== undefined;
  const cpus = spec.maxcpu ?? spec.cpus;
  const memory = spec.maxmem ?? spec.memory;
  const amount = (value: unknown, key: string): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(file, `Node ${node} has bad ${key} '${String(value)}'`);
    return value;
  };
  const maxCpu = amount(cpus, 'maxcpu');
  const maxMem = amount(memory, 'maxmem');
  return { ...(maxCpu !== undefined ? { cpus: maxCpu } : {}), ...(maxMem !== undefined ? { memoryBytes: maxMem } : {}), isLegacy };
}

/** The `crs` keys of datacenter.cfg about automatic rebalancing, with the reference's defaults. */
export function autoRebalanceOf(crs: Record<string, unknown>, file: string): AutoRebalanceSettings {
  const flag = (key: string, fallback: boolean): boolean => {
    const value = crs[key];
    if (value === undefined) return fallback;
    if (value === 1 || value === '1' || value === true) return true;
    if (value === 0 || value === '0' || value === false) return false;
    return fail(file, `crs.${key} must be 0 or 1, not '${String(value)}'`);
  };
  const number = (key: string, fallback: number, isInteger: boolean): number => {
    const value = crs[key];
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if ((typeof value !== 'number' && typeof value !== 'string') || !Number.isFinite(parsed) || parsed < 0 || (isInteger && !Number.isInteger(parsed))) {
      return fail(file, `crs.${key} must be a ${isInteger ? 'whole ' : ''}number of at least 0, not '${String(value)}'`);
    }
    return parsed;
  };
  const method = crs['ha-auto-rebalance-method'] ?? DEFAULT_AUTO_REBALANCE.method;
  if (!isOneOf(REBALANCE_METHODS, method)) fail(file, `Unknown crs.ha-auto-rebalance-method '${String(method)}', expected ${REBALANCE_METHODS.join(' or ')}`);
  return {
    isEnabled: flag('ha-auto-rebalance', DEFAULT_AUTO_REBALANCE.isEnabled),
    threshold: number('ha-auto-rebalance-threshold', DEFAULT_AUTO_REBALANCE.threshold, false),
    method,
    holdRounds: number('ha-auto-rebalance-hold-duration', DEFAULT_AUTO_REBALANCE.holdRounds, true),
    margin: number('ha-auto-rebalance-margin', DEFAULT_AUTO_REBALANCE.margin, false),
  };
}

function entriesOf(json: unknown, file: string): Array<[string, Record<string, unknown>]> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(file, 'Expected a JSON object');
  return Object.entries(json as Record<string, unknown>).map(([sid, raw]) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, `Entry ${sid} is not a JSON object`);
    return [sid, raw as Record<string, unknown>];
  });
}

function amountIn(entry: Record<string, unknown>, key: string, file: string, sid: string): number | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(file, `Bad ${key} '${String(value)}' for ${sid}`);
  return value;
}

/** `static_service_stats`: `{sid: {maxcpu, maxmem (bytes)}}`; a missing field is 0. */
export function parseStaticStats(json: unknown, file: string): Record<string, ServiceSize> {
  const sizes: Record<string, ServiceSize> = {};
  for (const [sid, entry] of entriesOf(json, file)) {
    sizes[sid] = { maxCpu: amountIn(entry, 'maxcpu', file, sid) ?? 0, maxMemBytes: amountIn(entry, 'maxmem', file, sid) ?? 0 };
  }
  return sizes;
}

/** `dynamic_service_stats`: `{sid: {cpu (cores in use), mem (bytes)}}`; a missing field is 0. */
export function parseDynamicStats(json: unknown, file: string): Record<string, ServiceLoad> {
  const loads: Record<string, ServiceLoad> = {};
  for (const [sid, entry] of entriesOf(json, file)) {
    loads[sid] = { cpu: amountIn(entry, 'cpu', file, sid) ?? 0, memBytes: amountIn(entry, 'mem', file, sid) ?? 0 };
  }
  return loads;
}

/** `service <sid> set-static-stats|set-dynamic-stats` values: MiB in the command, bytes in the stats. */
export function mibToBytes(mib: number): number {
  return mib * MIB;
}
