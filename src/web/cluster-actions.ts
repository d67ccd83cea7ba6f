import { assertNever } from '../common/assert.ts';
import { fenceAckNote, NO_MASTER_WARNING, requestDisarm, requestFenceAck, requestMaintenance, requestMove, requestStop } from '../cli/crm-requests.ts';
import { deniedMessage, isBadInput, oneLineMessage } from '../cli/report-error.ts';
import { setResourceChecked } from '../cli/resource-set.ts';
import { activeMaster } from '../cli/status-report.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { ConfigLockTimeout } from '../store/config-lock.ts';
import type { ActionResult, ConsoleAction } from './console-source.ts';

/**
 * The web console's actions on a live cluster, through the very functions the CLI's commands call
 * (src/cli/crm-requests.ts, src/cli/resource-set.ts): the same checks, the same refusals, the same
 * queued line. What the CLI would print as an error and exit 2 for is `refused` with that message.
 */
export function actOnCluster(store: ClusterStore, request: { action: ConsoleAction; actor: string }): ActionResult {
  let message: string;
  let note: string | undefined;
  try {
    ({ message, note } = carryOut(store, request));
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal === undefined) throw error;
    return { kind: 'refused', message: refusal };
  }
  const warnings = [note, activeMaster(store) === null ? NO_MASTER_WARNING : undefined].filter((text) => text !== undefined);
  return { kind: 'done', message, warning: warnings.length > 0 ? warnings.join('; ') : null };
}

function carryOut(store: ClusterStore, request: { action: ConsoleAction; actor: string }): { message: string; note?: string | undefined } {
  const { action, actor } = request;
  const queued = (line: string) => ({ message: `Queued for the master: ${line}` });
  switch (action.kind) {
    case 'migrate':
    case 'relocate':
      return queued(requestMove(store, { kind: action.kind, sid: action.sid, node: action.node }));
    case 'stop':
      return queued(requestStop(store, { sid: action.sid, timeout: String(action.timeoutS) }));
    case 'set-state': {
      const sid = setResourceChecked(store, { sid: action.sid, change: { set: { state: action.state }, delete: [] } });
      return { message: `Requested state of ${sid} set to ${action.state} (resources.cfg)` };
    }
    case 'maintenance':
      return queued(requestMaintenance(store, { action: action.action, node: action.node }));
    case 'disarm':
    case 'arm': {
      const { line, note } = requestDisarm(store, action.kind === 'arm' ? 'arm' : { mode: action.mode });
      return { ...queued(line), note };
    }
    case 'fence-ack':
      return {
        ...queued(requestFenceAck(store, { node: action.node, by: actor })),
        note: fenceAckNote(action.node),
      };
    default:
      return assertNever(action);
  }
}

/** The message of an error the CLI reports as the caller's (exit 2) or as a file it may not write; else undefined. */
function refusalOf(error: unknown): string | undefined {
  const denied = deniedMessage(error);
  if (denied !== undefined) return denied;
  if (isBadInput(error)) return oneLineMessage(error);
  if (error instanceof ConfigLockTimeout) return error.message;
  return undefined;
}

/** The action in one line for the journal: `migrate vm:100 node2`. */
export function actionLine(action: ConsoleAction): string {
  switch (action.kind) {
    case 'migrate':
    case 'relocate':
      return `${action.kind} ${action.sid} ${action.node}`;
    case 'stop':
      return `stop ${action.sid} ${action.timeoutS}`;
    case 'set-state':
      return `set ${action.sid} --state ${action.state}`;
    case 'maintenance':
      return `node-maintenance ${action.action} ${action.node}`;
    case 'disarm':
      return `disarm-ha ${action.mode}`;
    case 'arm':
      return 'arm-ha';
    case 'fence-ack':
      return `fence-ack ${action.node}`;
    default:
      return assertNever(action);
  }
}
