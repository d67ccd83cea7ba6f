import type { LrmActionResult, LrmStatus } from '../common/lrm-status.ts';
import type { ServiceStatus } from '../common/manager-status.ts';

/** Finds the LRM result of a service's current request. */
export interface LrmResultLookup {
  find(service: ServiceStatus): LrmActionResult | undefined;
}

/**
 * The LRM results of one manager round, by request id. A result is looked up first on the service's
 * own node, where it almost always is; only a miss builds the index over every node's results.
 */
export class LrmResultIndex implements LrmResultLookup {
  private merged: Map<string, LrmActionResult> | undefined;

  constructor(private readonly statuses: ReadonlyMap<string, LrmStatus>) {}

  find(service: ServiceStatus): LrmActionResult | undefined {
    const local = this.statuses.get(service.node)?.results.get(service.uid);
    if (local) return local;
    return this.mergedIndex().get(service.uid);
  }

  /** Whether the LRM of the service's own node reported a result for its current request. */
  isReportedByOwnNode(service: ServiceStatus): boolean {
    return this.statuses.get(service.node)?.results.has(service.uid) ?? false;
  }

  private mergedIndex(): Map<string, LrmActionResult> {
    if (this.merged) return this.merged;
    const merged = new Map<string, LrmActionResult>();
    for (const status of this.statuses.values()) {
      for (const [uid, result] of status.results) if (!merged.has(uid)) merged.set(uid, result);
    }
    this.merged = merged;
    return merged;
  }
}
