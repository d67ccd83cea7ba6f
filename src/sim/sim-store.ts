/**
 * The simulator's lease store: one record (holder, last renewal) per lease, in memory. Every node
 * learns of a renewal the moment it happens, so "observed unchanged for the timeout" is "not renewed
 * within the timeout" here. Taking needs strictly more than the timeout; renewing needs at most it.
 */
export interface LeaseRecord {
  holder: string;
  renewedMs: number;
}

export type LeaseOutcome = 'renewed' | 'taken' | 'refused';

export class SimLeaseStore {
  private readonly leases = new Map<string, LeaseRecord>();

  constructor(private readonly leaseTimeoutMs: number) {}

  /** Compare-and-set: renew if `node` holds it, take it if it is free or expired, else refuse. */
  acquire(name: string, node: string, nowMs: number): LeaseOutcome {
    const lease = this.leases.get(name);
    if (lease && nowMs - lease.renewedMs <= this.leaseTimeoutMs) {
      if (lease.holder !== node) return 'refused';
      lease.renewedMs = nowMs;
      return 'renewed';
    }
    this.leases.set(name, { holder: node, renewedMs: nowMs });
    return 'taken';
  }

  /** Release by the holder; an expired lease counts as released. */
  release(name: string, node: string, nowMs: number): boolean {
    const lease = this.leases.get(name);
    if (!lease) return false;
    if (nowMs - lease.renewedMs > this.leaseTimeoutMs) return true;
    if (lease.holder !== node) return false;
    this.leases.delete(name);
    return true;
  }

  holderOf(name: string, nowMs: number): string | undefined {
    const lease = this.leases.get(name);
    return lease && nowMs - lease.renewedMs <= this.leaseTimeoutMs ? lease.holder : undefined;
  }

  record(name: string): Readonly<LeaseRecord> | undefined {
    return this.leases.get(name);
  }
}

export const MANAGER_LEASE = 'ha_manager_lock';
export function agentLeaseName(node: string): string {
  return `ha_agent_${node}_lock`;
}
