/**
 * What the chaos checker knows about fence proofs (DESIGN.md "What proves a node fenced"), from the
 * trace and the simulated world's truth:
 * - a master's `fence-ack` for a node, with the proof it claims (`reset`/`free`: it took the node's
 *   agent lease; `agent`: a fence level powered the node off; `kdump`: the node crashed writing a
 *   dump; `operator`: someone confirmed it down);
 * - whether an `agent` or `kdump` claim is true: the node's life at the fence's start (the `fence`
 *   event) has ended — it was off already, or powered off since — and, for kdump, ended in a kernel
 *   crash. The operator's word is taken as given;
 * - where each service was last seen running: a proof counts for a service only if it came after.
 */
import type { FenceProof } from '../common/manager-status.ts';
import type { ResetReason, TraceEvent } from '../common/trace.ts';
import type { SimCluster } from '../sim/sim-cluster.ts';

/** What a `fence-ack` claims; undefined in an older trace's ack (a lease take). */
export type FenceProofClaim = FenceProof | undefined;

/** The lease proofs: the master took the node's agent lease (`undefined` is an older trace's ack). */
export function isLeaseProof(proof: FenceProofClaim): boolean {
  return proof === 'reset' || proof === 'free' || proof === undefined;
}

/** The node at the moment a master started fencing it. */
interface FenceStart {
  readonly atMs: number;
  readonly wasOn: boolean;
  /** Why it was off then (the last reset before), when it was. */
  readonly offReason: ResetReason | undefined;
  /** How the life it had then ended: the first reset after the fence's start. */
  endedBy: ResetReason | undefined;
}

export class FenceProofLedger {
  private readonly fenceStarts = new Map<string, FenceStart>();
  private readonly lastResetReasons = new Map<string, ResetReason>();
  private readonly acks = new Map<string, { readonly atMs: number; readonly proof: FenceProofClaim }>();
  /** By node, by sid: the last step at which the service ran there. */
  private readonly lastSeenRunningMs = new Map<string, Map<string, number>>();

  constructor(private readonly cluster: SimCluster) {
    for (const node of cluster.nodeNames) this.lastSeenRunningMs.set(node, new Map());
  }

  /** Called with every running service at every step (the single-run check walks them anyway). */
  seenRunning(node: string, sid: string): void {
    this.lastSeenRunningMs.get(node)!.set(sid, this.cluster.timeMs);
  }

  lastSeenMs(node: string, sid: string): number | undefined {
    return this.lastSeenRunningMs.get(node)?.get(sid);
  }

  lastAck(node: string): { readonly atMs: number; readonly proof: FenceProofClaim } | undefined {
    return this.acks.get(node);
  }

  /** Follows fences, resets and acks; returns why an `agent`/`kdump` claim is false, when it is. */
  onEvent(event: TraceEvent): string | undefined {
    switch (event.ev) {
      case 'fence': {
        const node = this.cluster.node(event.target);
        this.fenceStarts.set(event.target, { atMs: this.cluster.timeMs, wasOn: node.isPoweredOn, offReason: node.isPoweredOn ? undefined : this.lastResetReasons.get(event.target), endedBy: undefined });
        return undefined;
      }
      case 'reset': {
        this.lastResetReasons.set(event.target, event.reason);
        const start = this.fenceStarts.get(event.target);
        if (start && start.wasOn && start.endedBy === undefined) start.endedBy = event.reason;
        return undefined;
      }
      case 'fence-ack':
        this.acks.set(event.target, { atMs: this.cluster.timeMs, proof: event.proof });
        return this.falseClaim(event.target, event.proof);
      default:
        return undefined;
    }
  }

  private falseClaim(target: string, proof: FenceProofClaim): string | undefined {
    if (proof !== 'agent' && proof !== 'kdump') return undefined;
    const start = this.fenceStarts.get(target);
    const node = this.cluster.node(target);
    // No `fence` event seen (a scenario that starts with the node in `fence`): the node as it is now.
    const endedBy = start === undefined ? (node.isPoweredOn ? undefined : this.lastResetReasons.get(target)) : start.wasOn ? start.endedBy : start.offReason;
    const isOff = start === undefined ? !node.isPoweredOn : !start.wasOn || start.endedBy !== undefined;
    const since = start === undefined ? '' : ` since the fence started at t=${Math.floor(start.atMs / 1000)}`;
    if (proof === 'agent' && !isOff) return `the ${proof} proof for ${target} is false: it was never powered off${since}`;
    if (proof === 'kdump' && endedBy !== 'kdump') return `the kdump proof for ${target} is false: it did not crash writing a kernel dump${since}${endedBy ? ` (it went down by ${endedBy})` : ''}`;
    return undefined;
  }
}
