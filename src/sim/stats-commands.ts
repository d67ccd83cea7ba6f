import type { SimCluster } from './sim-cluster.ts';
import { mibToBytes } from './scenario-stats.ts';

/**
 * `service <sid> set-static-stats [maxcpu <cores>] [maxmem <MiB>]` and
 * `service <sid> set-dynamic-stats [cpu <cores>] [mem <MiB>]` (README-5.2 §2): change one service's
 * entry of `static_service_stats` / `dynamic_service_stats`; the master sees it at its next round.
 */
export type StatsCommand = {
  readonly kind: 'service-stats';
  readonly sid: string;
  readonly which: 'static' | 'dynamic';
  /** CPUs (cores), memory in bytes; absent fields keep their value. */
  readonly cpu?: number;
  readonly memBytes?: number;
  readonly text: string;
};

const FIELDS = { static: ['maxcpu', 'maxmem'], dynamic: ['cpu', 'mem'] } as const;

/** Parses the words after `service <sid>`; a message naming the problem when they are not valid. */
export function parseStatsCommand(text: string, sid: string, action: string, args: readonly string[]): StatsCommand | string | undefined {
  const which = action === 'set-static-stats' ? 'static' : action === 'set-dynamic-stats' ? 'dynamic' : undefined;
  if (which === undefined) return undefined;
  const [cpuKey, memKey] = FIELDS[which];
  const usage = `'${text}': expected 'service <sid> ${action} [${cpuKey} <cores>] [${memKey} <MiB>]'`;
  if (args.length === 0 || args.length % 2 !== 0) return usage;
  let cpu: number | undefined;
  let memBytes: number | undefined;
  for (let index = 0; index < args.length; index += 2) {
    const key = args[index];
    const value = Number(args[index + 1]);
    if (!/^\d+(\.\d+)?$/.test(args[index + 1] ?? '') || !Number.isFinite(value)) return `'${text}': bad value '${args[index + 1]}' for ${key}`;
    if (key === cpuKey && cpu === undefined) cpu = value;
    else if (key === memKey && memBytes === undefined) memBytes = mibToBytes(value);
    else return usage;
  }
  return { kind: 'service-stats', sid, which, ...(cpu !== undefined ? { cpu } : {}), ...(memBytes !== undefined ? { memBytes } : {}), text };
}

/** Applies a stats command; false (nothing changed) when the service is not configured. */
export function applyStatsCommand(cluster: SimCluster, command: StatsCommand): boolean {
  if (cluster.resources[command.sid] === undefined) return false;
  if (command.which === 'static') {
    const size = cluster.serviceSizes[command.sid] ?? { maxCpu: 0, maxMemBytes: 0 };
    cluster.serviceSizes[command.sid] = { maxCpu: command.cpu ?? size.maxCpu, maxMemBytes: command.memBytes ?? size.maxMemBytes };
  } else {
    const load = cluster.dynamicLoads[command.sid] ?? { cpu: 0, memBytes: 0 };
    cluster.dynamicLoads[command.sid] = { cpu: command.cpu ?? load.cpu, memBytes: command.memBytes ?? load.memBytes };
  }
  cluster.loadsVersion++;
  cluster.config.generation++; // the sizes are part of the configuration readers cache by generation
  return true;
}
