import { randomBytes } from 'node:crypto';
import type { LrmStatus } from '../common/lrm-status.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import type { RequestedState } from '../common/states.ts';
import { updateResourceConfig } from '../config/config-edit.ts';
import { listQueuedCommands, takeQueuedCommands } from '../store/command-queue.ts';
import { agentLease, MANAGER_LEASE } from '../store/lease-store.ts';
import type { CrmEnv } from './env.ts';
import { NodeEnvBase } from './node-env-base.ts';

/**
 * The CRM environment of a real node over a shared directory: the manager lease and the other nodes'
 * agent leases in `leases/`, the manager status and the LRM statuses in `status/`, the commands in
 * `commands/`, config updates under the config lock. Store failures are values (false, undefined, []),
 * logged under ha:crm.
 */
export class NodeCrmEnv extends NodeEnvBase implements CrmEnv {
  private readonly uidPrefix = randomBytes(4).toString('hex');
  private uidCounter = 0;

  tryManagerLease(): boolean {
    return this.acquireLease(MANAGER_LEASE, true);
  }

  releaseManagerLease(): boolean {
    return this.releaseLease(MANAGER_LEASE);
  }

  tryAgentLeaseOf(node: string): boolean {
    return this.acquireLease(agentLease(node), false);
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

  writeManagerStatus(status: ManagerStatus): void {
    const written = this.statusStore.writeManagerStatus({ ...status, timestampMs: Date.now() });
    if (written.kind !== 'written') this.debug(written.message);
  }

  readLrmStatus(node: string): LrmStatus | undefined {
    const read = this.statusStore.readLrmStatus(node);
    if (read.kind === 'ok') return read.value;
    if (read.kind !== 'missing') this.debug(read.message);
    return undefined;
  }

  hasCrmCommands(): boolean {
    try {
      return listQueuedCommands(this.parts.sharedDir).length > 0;
    } catch (error) {
      this.debug(`Cannot list ${this.paths.commands}: ${(error as Error).message}`);
      return false;
    }
  }

  takeCrmCommands(): string[] {
    try {
      return takeQueuedCommands(this.parts.sharedDir);
    } catch (error) {
      this.debug(`Cannot take commands from ${this.paths.commands}: ${(error as Error).message}`);
      return [];
    }
  }

  updateResourceConfig(sid: string, patch: { node?: string; state?: RequestedState }): void {
    try {
      updateResourceConfig(this.parts.sharedDir, sid, patch);
      this.parts.config.markDirty();
    } catch (error) {
      this.emit({ ev: 'log', level: 'err', msg: `Cannot update ${sid} in ${this.paths.resources}: ${(error as Error).message}` });
    }
  }

  newUid(): string {
    return `${this.uidPrefix}.${(this.uidCounter++).toString(36)}`;
  }
}
