import { randomBytes } from 'node:crypto';
import type { LrmStatus } from '../common/lrm-status.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import type { RequestedState } from '../common/states.ts';
import { AssertionError } from '../common/assert.ts';
import type { GroupMigrationRequest } from '../common/ha-config.ts';
import { tryEditConfig } from '../config/config-edit.ts';
import { writeGroupMigration } from '../config/rule-edit.ts';
import { agentLease, MANAGER_LEASE } from '../store/lease-store.ts';
import type { AgentLeaseTake, CrmEnv, HaConfig } from './env.ts';
import { NodeEnvBase, type NodeEnvParts } from './node-env-base.ts';
import { ResourceUpdateWriter } from './resource-update-writer.ts';

/**
 * The CRM environment of a real node over the cluster's store (a shared directory or etcd): the manager
 * lease and the other nodes' agent leases, the manager status and the LRM statuses, the command queue,
 * config updates by compare-and-set, written between rounds (resource-update-writer.ts).
 * Store failures are values (false, undefined, []), logged under ha:crm.
 */
export class NodeCrmEnv extends NodeEnvBase implements CrmEnv {
  private readonly uidPrefix = randomBytes(4).toString('hex');
  private uidCounter = 0;
  private readonly resourceWriter: ResourceUpdateWriter;
  /** When this node's last successful take or renewal of the manager lease started (its clock). */
  private managerRenewedMs: number | undefined;

  constructor(parts: NodeEnvParts) {
    super(parts);
    this.resourceWriter = new ResourceUpdateWriter({
      store: parts.store,
      mayWrite: () => this.holdsManagerLease(),
      onWritten: () => parts.config.reload(),
      onProblem: (msg) => this.emit({ ev: 'log', level: 'err', msg }),
      nowMs: () => this.nowMs(),
    });
  }

  tryManagerLease(): boolean {
    const startMs = this.nowMs();
    const isHeld = this.acquireLease(MANAGER_LEASE, true);
    this.managerRenewedMs = isHeld ? startMs : undefined;
    return isHeld;
  }

  managerLeaseGeneration(): number {
    return this.leases.heldGeneration(MANAGER_LEASE) ?? 0;
  }

  /** Writes what it can of the master's pending config updates before it gives up the lease (never waits). */
  releaseManagerLease(): boolean {
    if (!this.resourceWriter.writeNow()) this.resourceWriter.drop('the master is leaving and the config could not be written at once (a busy config lock, a concurrent edit, or the store out of reach)');
    this.managerRenewedMs = undefined;
    return this.releaseLease(MANAGER_LEASE);
  }

  /**
   * A write of the master's decisions must land before any other node could take the manager lease:
   * that is a fence timeout after this node's last renewal, on a clock that may run fast by the drift
   * margin; the write itself may take as long as a renewal may.
   */
  private holdsManagerLease(): boolean {
    if (this.managerRenewedMs === undefined) return false;
    const { leaseTimeoutMs, driftMarginMs, renewalMaxMs } = this.timing;
    return this.nowMs() - this.managerRenewedMs < leaseTimeoutMs - driftMarginMs - renewalMaxMs;
  }

  /** The config as the master sees it: with its own updates on top until they are written. */
  override readConfig(): HaConfig {
    return this.resourceWriter.overlay(super.readConfig());
  }

  /**
   * Real nodes run this ha-manager, not pve-manager, and publish no pve-manager version: the master's
   * persistent group migration never goes ahead here (it says why at each attempt), and an operator
   * migrates groups with `ha-manager rules migrate-groups`, which writes the same (config/rule-edit.ts).
   */
  nodeVersion(_node: string): string | undefined {
    return undefined;
  }

  /**
   * One compare-and-set that never waits: a busy dir config lock or a concurrent edit ('conflict')
   * leaves the groups for the next attempt; a store out of reach or a config that does not load is said.
   */
  applyGroupMigration(request: GroupMigrationRequest): void {
    if (!this.holdsManagerLease()) return;
    let problem: string;
    try {
      const outcome = tryEditConfig(this.store, (documents) => writeGroupMigration(documents, request));
      if (outcome.kind === 'written') {
        this.parts.config.reload();
        return;
      }
      if (outcome.kind === 'conflict') return;
      problem = `${this.store.where}: ${outcome.message}`;
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      problem = (error as Error).message;
    }
    this.emit({ ev: 'log', level: 'err', msg: `HA groups not migrated to rules: ${problem}` });
  }

  tryAgentLeaseOf(node: string): AgentLeaseTake {
    return this.takeAgentLeaseOf(node);
  }

  /**
   * Looks at the agent lease of every other node, so that a master's wait of a full lease timeout on a
   * lost node starts when the node stopped renewing, not when the master first asks to fence it (the
   * store counts a look as an observation; DESIGN.md "Leases and the fence"). Slaves look too, so a
   * new master does not start its wait from zero. Only while the shared directory is reachable.
   */
  observeAgentLeases(): void {
    if (!this.membership().isQuorate) return;
    for (const node of this.membership().nodes) {
      if (node !== this.nodeName) this.leases.inspect(agentLease(node), this.nowMs());
    }
  }

  /**
   * The LRMs check a request against resources.cfg (the node the master recorded): the master's
   * pending records go first, in one attempt that never waits, so a target LRM that reads this status
   * finds its node in the file too. A busy lock (rare: one short read-modify-write) leaves them to the
   * writer's retry, and such an LRM may answer "wrong node" until they land.
   */
  writeManagerStatus(status: ManagerStatus): void {
    this.resourceWriter.writeNow();
    const written = this.statusStore.writeManagerStatus({ ...status, timestampMs: Date.now() });
    if (written.kind !== 'written') {
      this.debug(written.message);
      this.sayIfNotWritable(written.message);
    }
  }

  readLrmStatus(node: string): LrmStatus | undefined {
    const read = this.statusStore.readLrmStatus(node);
    if (read.kind === 'ok') return read.value;
    if (read.kind !== 'missing') this.debug(read.message);
    return undefined;
  }

  hasCrmCommands(): boolean {
    const queued = this.store.commands.read();
    if (!('kind' in queued)) return queued.length > 0;
    this.debug(`Cannot list the commands of ${this.store.where}: ${queued.message}`);
    return false;
  }

  takeCrmCommands(): string[] {
    const taken = this.store.commands.take();
    if (!('kind' in taken)) return [...taken];
    this.debug(`Cannot take the commands of ${this.store.where}: ${taken.message}`);
    return [];
  }

  /** Queues the update; it is written by compare-and-set after this round, never during it. */
  updateResourceConfig(sid: string, patch: { node?: string; state?: RequestedState }): void {
    this.resourceWriter.enqueue(sid, patch);
  }

  /** Updates still waiting to be written (a busy config lock, a conflict, the store out of reach; status, tests). */
  get pendingResourceUpdates(): number {
    return this.resourceWriter.pendingCount;
  }

  newUid(): string {
    return `${this.uidPrefix}.${(this.uidCounter++).toString(36)}`;
  }
}
