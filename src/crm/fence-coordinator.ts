import type { LrmStatus } from '../common/lrm-status.ts';
import { dropNodeEntry, type ManagerStatus, type ServiceStatus } from '../common/manager-status.ts';
import type { EmitEvent } from '../common/trace.ts';
import type { AgentLeaseTake } from '../env/env.ts';
import { isWithoutWatchdog, type FenceConfig } from '../fence/fence-config.ts';
import { ExternalFencing } from './external-fencing.ts';
import { coversService, LeaseProofs, type FenceProof } from './fence-proofs.ts';
import type { NodeStatusTable } from './node-status.ts';
import type { ServiceContext } from './service-context.ts';

/**
 * Which lost nodes the master fences and what proves each fenced (DESIGN.md "What proves a node
 * fenced"): the lease path (taking the node's agent lease), fence levels run by a proxy
 * (external-fencing.ts), and an operator's `fence-ack`. Whichever proof comes first wins; nothing
 * else counts. A node without a watchdog (`watchdog none` in fence.cfg) is never fenced by lease:
 * nothing resets it when it stops renewing.
 */

export interface FencePassInput {
  readonly ctx: ServiceContext;
  readonly entries: () => ReadonlyArray<readonly [string, ServiceStatus]>;
  readonly hasFencedServices: boolean;
  /** While disarmed: only the services the disarm waits for. */
  readonly only: ReadonlySet<string> | undefined;
  readonly fence: FenceConfig | undefined;
  readonly lrmStatuses: ReadonlyMap<string, LrmStatus>;
}

export interface FencePorts {
  readonly emit: EmitEvent;
  readonly newUid: () => string;
}

export class FenceCoordinator {
  private readonly leaseProofs = new LeaseProofs();
  readonly external: ExternalFencing;

  constructor(
    private readonly status: ManagerStatus,
    private readonly nodes: NodeStatusTable,
    private readonly ports: FencePorts,
  ) {
    this.external = new ExternalFencing(status, ports);
  }

  /** How long `node` must be offline before its services are fenced: shorter with fence levels (a power-off needs no watchdog timeout). */
  offlineDelayMs(fence: FenceConfig | undefined, node: string, fenceDelayMs: number, roundMs: number): number {
    if (this.status.fenceAcks?.[node] !== undefined) return 0; // an operator confirmed it down
    if (fence === undefined || !ExternalFencing.hasLevels(fence, node)) return fenceDelayMs;
    return Math.min(fenceDelayMs, this.external.offlineDelayMs(fence, node, roundMs));
  }

  beginRound(fence: FenceConfig | undefined, lrmStatuses: ReadonlyMap<string, LrmStatus>): void {
    this.external.beginRound({ fence, lrmStatuses, nodes: this.nodes });
    // A confirmation for a node that is back was about an episode that is over.
    for (const node of Object.keys(this.status.fenceAcks ?? {})) if (this.nodes.isOperational(node)) this.dropAck(node);
  }

  /**
   * Nodes to fence, in order: those of services in `fence` (by sid), then nodes left in `fence`. A
   * service that waits for its node (a fence proof did not cover it) is no reason to fence again: that
   * would keep the node's lease from its own LRM, and so keep the node from ever reporting.
   */
  targets(input: FencePassInput): string[] {
    const targets: string[] = [];
    const seen = new Set<string>();
    for (const [sid, status] of input.hasFencedServices ? input.entries() : []) {
      if (status.state !== 'fence' || seen.has(status.node) || (input.only && !input.only.has(sid))) continue;
      // An operator's confirmation covers what a free lease could not.
      if (status.isWaitingForNode && this.status.fenceAcks?.[status.node] !== undefined) status.isWaitingForNode = false;
      if (status.isWaitingForNode) continue;
      seen.add(status.node);
      targets.push(status.node);
    }
    for (const node of input.only ? [] : this.nodes.knownNodes()) {
      if (!seen.has(node) && this.nodes.stateOf(node) === 'fence') targets.push(node);
    }
    for (const node of targets) {
      if (this.nodes.stateOf(node) === 'fence') continue;
      this.nodes.setState(node, 'fence');
      this.ports.emit({ ev: 'fence', target: node });
    }
    return targets;
  }

  /** The proofs other than the lease's for `targets`: operators' confirmations, then fence levels. */
  otherProofs(targets: readonly string[], input: FencePassInput): Map<string, FenceProof> {
    const proofs = new Map<string, FenceProof>();
    for (const [node, proof] of this.external.advance(targets, { fence: input.fence, lrmStatuses: input.lrmStatuses, nodes: this.nodes })) proofs.set(node, proof);
    for (const node of targets) if (this.status.fenceAcks?.[node] !== undefined) proofs.set(node, 'operator');
    return proofs;
  }

  /**
   * The targets whose agent lease the master takes: not those proved otherwise, nor those without a
   * watchdog — by fence.cfg, or by their LRM's own word (it started before fence.cfg changed).
   */
  leaseTargets(targets: readonly string[], proved: ReadonlyMap<string, FenceProof>, input: FencePassInput): string[] {
    const isWithout = (node: string) => isWithoutWatchdog(input.fence, node) || input.lrmStatuses.get(node)?.withoutWatchdog === true;
    return targets.filter((node) => !proved.has(node) && !isWithout(node));
  }

  /**
   * Applies the proofs; true if a node was fenced. Each `fence` service of a fenced node goes to
   * `recovery` when the proof covers it (fence-proofs.ts), else it waits for its node.
   */
  acknowledge(input: FencePassInput, nowMs: number, proved: ReadonlyMap<string, FenceProof>, takes: ReadonlyMap<string, AgentLeaseTake>): boolean {
    const proofs = new Map(proved);
    for (const [node, take] of takes) {
      const proof = this.leaseProofs.proofOf(node, take);
      if (proof !== undefined && !proofs.has(node)) proofs.set(node, proof);
    }
    for (const [node, proof] of proofs) {
      const by = proof === 'operator' ? this.status.fenceAcks?.[node]?.by : undefined;
      this.ports.emit({ ev: 'fence-ack', target: node, proof, ...(by !== undefined ? { by } : {}) });
      this.status.lastFence = { ...this.status.lastFence, [node]: { proof, timestampMs: nowMs, ...(by !== undefined ? { by } : {}) } };
      this.dropAck(node);
      this.nodes.setState(node, 'unknown');
    }
    if (proofs.size === 0) return false;
    for (const [sid, status] of input.entries()) {
      const proof = status.state === 'fence' && !status.isWaitingForNode ? proofs.get(status.node) : undefined;
      if (proof === undefined) continue;
      if (coversService(proof, status)) {
        // A fenced online move keeps its target: the service may have reached it (handleRecovery).
        input.ctx.change(sid, status, 'recovery', status.target === undefined ? {} : { target: status.target });
        continue;
      }
      status.isWaitingForNode = true;
      const reason = `${status.node}'s agent lease was free, which proves nothing about a service that may run there unmanaged`;
      this.ports.emit({ ev: 'fence-wait', sid, target: status.node, reason });
    }
    return true;
  }

  /** Nodes whose power-on waits for this master to hold their agent lease (external-fencing.ts). */
  powerOnGates(): string[] {
    return this.external.powerOnGates();
  }

  /** The lease takes for the gates: a take that succeeded (whatever it proves) opens the node's gate. */
  openPowerOnGates(takes: ReadonlyMap<string, AgentLeaseTake>, fence: FenceConfig | undefined, lrmStatuses: ReadonlyMap<string, LrmStatus>): void {
    const held = new Set([...takes].filter(([, take]) => take !== 'refused').map(([node]) => node));
    this.external.openGates({ fence, lrmStatuses, nodes: this.nodes }, held);
  }

  private dropAck(node: string): void {
    dropNodeEntry(this.status, 'fenceAcks', node);
  }
}
