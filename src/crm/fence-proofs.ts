import { assertNever } from '../common/assert.ts';
import type { FenceProof, ServiceStatus } from '../common/manager-status.ts';
import type { AgentLeaseTake } from '../env/env.ts';

export type { FenceProof };

/**
 * The proofs this master obtained by taking lost nodes' agent leases. A take it repeats on a lease it
 * already holds (`held`) proves what its first take proved. Memory only, on purpose: a new master
 * cannot renew its predecessor's take, it takes the lease anew from a holder that is not the node,
 * and that proves only `free` — never more than the proof it can see.
 */
export class LeaseProofs {
  private readonly proofs = new Map<string, 'reset' | 'free'>();

  /** The proof a take gives, or undefined when the node is not fenced (the take was refused). */
  proofOf(node: string, take: AgentLeaseTake): 'reset' | 'free' | undefined {
    switch (take) {
      case 'refused':
        return undefined;
      case 'held':
        return this.proofs.get(node) ?? 'free';
      case 'reset':
      case 'free':
        this.proofs.set(node, take);
        return take;
      default:
        return assertNever(take, 'agent lease take');
    }
  }
}

/**
 * Whether a fence proof covers one service of the fenced node. A reset, a power-off by fence devices,
 * a crash dump and an operator's confirmation each ended everything the node ran. A free lease proves
 * only that the node's LRM holds no lease, which it gives up only once the services it knew of are
 * stopped: it does not cover a service that may run there unmanaged. If the manager cannot know, it
 * does nothing.
 */
export function coversService(proof: FenceProof, status: ServiceStatus): boolean {
  return proof !== 'free' || !status.mayRunUnmanaged;
}
