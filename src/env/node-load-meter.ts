import { availableParallelism, totalmem } from 'node:os';
import type { NodeLoadStats, ServiceLoad } from '../common/lrm-status.ts';
import type { DriverRegistry } from '../resources/driver-registry.ts';
import { readUsage, type UsageReading } from '../resources/usage-source.ts';

/** A node measures its services at most this often: each measurement reads /proc or cgroup files per service. */
export const MEASURE_INTERVAL_MS = 5000;

/**
 * Measures a real node for the dynamic scheduler (README-5.2 §7.3): its CPUs and memory, and what
 * each of the given services uses, read where its driver says it runs (cgroup or process tree,
 * src/resources/usage-source.ts). CPU use is a rate: the CPU seconds a service used between two
 * readings over the wall time between them, so a service counts from its second reading on (0 CPUs
 * at its first). A service whose driver knows no source, or that is not running, is left out.
 */
export class NodeLoadMeter {
  private readonly previous = new Map<string, { reading: UsageReading; atMs: number }>();
  private last: { stats: NodeLoadStats; atMs: number } | undefined;

  constructor(
    private readonly drivers: DriverRegistry,
    private readonly nowMs: () => number = () => performance.now(),
    private readonly intervalMs = MEASURE_INTERVAL_MS,
  ) {}

  measure(sids: readonly string[]): NodeLoadStats {
    const now = this.nowMs();
    if (this.last && now - this.last.atMs < this.intervalMs) return this.last.stats;
    const services = new Map<string, ServiceLoad>();
    const seen = new Set<string>();
    for (const sid of [...sids].sort()) {
      const source = this.drivers.driverFor(sid).usageSource(sid);
      const reading = source && readUsage(source);
      if (reading === undefined) continue;
      seen.add(sid);
      const before = this.previous.get(sid);
      const elapsedS = before ? (now - before.atMs) / 1000 : 0;
      // A counter that went back is a new process (restarted): no rate until its next reading.
      const cpu = before && elapsedS > 0 && reading.cpuSeconds >= before.reading.cpuSeconds ? (reading.cpuSeconds - before.reading.cpuSeconds) / elapsedS : 0;
      services.set(sid, { cpu, memBytes: reading.memBytes });
      this.previous.set(sid, { reading, atMs: now });
    }
    for (const sid of [...this.previous.keys()]) if (!seen.has(sid)) this.previous.delete(sid);
    const stats = { maxCpu: availableParallelism(), maxMemBytes: totalmem(), services };
    this.last = { stats, atMs: now };
    return stats;
  }
}
