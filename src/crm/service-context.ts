import type { ResourceConfig } from '../common/ha-config.ts';
import type { ServiceState } from '../common/states.ts';
import type { EmitEvent } from '../common/trace.ts';
import type { ServiceStatus } from '../common/manager-status.ts';
import type { NodeStatusTable } from './node-status.ts';
import type { NodeSelector } from './select-node.ts';
import type { CommandVerdict } from './check-crm-command.ts';
import type { CrmCommand } from './crm-command.ts';
import type { ResourcePatch } from './resource-records.ts';

export interface StateChangeParams {
  readonly node?: string;
  readonly target?: string;
  readonly timeoutS?: number;
  /** Why, when the trace should say (a service frozen by a disarm). */
  readonly reason?: 'disarm';
}

/** What a service state handler may read and do during one manager round. */
export interface ServiceContext {
  readonly nowMs: number;
  readonly nodes: NodeStatusTable;
  readonly selector: NodeSelector;
  readonly rebalanceOnStart: boolean;
  readonly emit: EmitEvent;
  /** The service's configuration; a service without one counts as disabled. */
  resource(sid: string): ResourceConfig;
  /** True when `node` is not online and was last seen at least a fence delay ago. */
  isOfflineDelayed(node: string): boolean;
  lrmMode(node: string): string | undefined;
  /** The service leaves HA (`ignored`, or its resource deleted) and is kept only until it settles. */
  isLeaving(sid: string): boolean;
  /** The master's verdict on a command now (check-crm-command.ts): a pending one is checked again when consumed. */
  checkCommand(command: CrmCommand): CommandVerdict;
  /** The one way a service changes state: fresh request id, one event, usage updated. */
  change(sid: string, status: ServiceStatus, next: ServiceState, params?: StateChangeParams): void;
  /**
   * Corrects where the status says a service is to where resources.cfg places it, in the same state:
   * one `service-fixup` event, a fresh request id, usage moved.
   */
  correctNode(sid: string, status: ServiceStatus, node: string, reason?: 'wrong-node'): void;
  /** A fresh request id for the same state, so the LRM acts on it again. */
  renewUid(sid: string, status: ServiceStatus): void;
  /** Records in the service's configuration what the master decided: its node after a move or a recovery, `stopped` after a stop command. */
  updateResource(sid: string, patch: ResourcePatch): void;
}
