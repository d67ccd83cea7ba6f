import { assertNever } from '../common/assert.ts';
import { ConfigRefused } from '../config/config-edit.ts';
import { checkSid } from '../config/resources.ts';
import { unknownResourceMessage } from '../config/resource-edit.ts';
import { checkedDisarm, checkedFenceAck, fenceAckNote, checkedMaintenance, checkedMove, checkedStop, type RequestContext } from '../cli/crm-requests.ts';
import { isBadInput, oneLineMessage } from '../cli/report-error.ts';
import { resolveSid } from '../cli/sid-arg.ts';
import { formatCrmCommand, type CrmCommand } from '../crm/crm-command.ts';
import type { SimCluster } from '../sim/sim-cluster.ts';
import { scenarioCommandOf } from '../sim/scenario-crm-command.ts';
import type { ConsoleAction } from './console-source.ts';

/** An operator's action on the simulated cluster, checked as the CLI checks it: the scenario command to record, or why it is refused. */
export type SimActionCommand = { readonly kind: 'command'; readonly text: string; readonly message: string; readonly note: string | undefined } | { readonly kind: 'refused'; readonly message: string };

/**
 * A ConsoleAction as the scenario command that does it in the simulator (`service vm:101 migrate
 * node2`), after the CLI's own checks (src/cli/crm-requests.ts) with what the simulated cluster
 * knows: its configuration, its nodes (hardware_status declares them), the master's saved status.
 * What the CLI refuses (exit 2) is refused here with the same message.
 */
export function simActionCommand(cluster: SimCluster, request: { action: ConsoleAction; actor: string; masterNode: string | null }): SimActionCommand {
  try {
    return { kind: 'command', ...commandOf(cluster, request) };
  } catch (error) {
    if (isBadInput(error)) return { kind: 'refused', message: oneLineMessage(error) };
    throw error;
  }
}

function commandOf(cluster: SimCluster, request: { action: ConsoleAction; actor: string; masterNode: string | null }): { text: string; message: string; note: string | undefined } {
  const { action, actor } = request;
  const context: RequestContext = { config: cluster.config, known: { nodes: cluster.nodeNames, source: 'declared' }, savedStatus: () => cluster.managerStatus };
  const queued = (command: CrmCommand, text: string, note?: string) => ({ text, message: `Queued for the master: ${formatCrmCommand(command)}`, note });
  switch (action.kind) {
    case 'migrate':
    case 'relocate': {
      const command = checkedMove(context, action);
      return queued(command, scenarioCommandOf(command));
    }
    case 'stop': {
      const command = checkedStop(context, { sid: action.sid, timeout: String(action.timeoutS) });
      return queued(command, scenarioCommandOf(command));
    }
    case 'set-state': {
      const sid = configuredSid(context, action.sid);
      return { text: `service ${sid} ${action.state}`, message: `Requested state of ${sid} set to ${action.state} (resources.cfg)`, note: undefined };
    }
    case 'maintenance': {
      const command = checkedMaintenance(context, action);
      return queued(command, scenarioCommandOf(command));
    }
    case 'disarm':
    case 'arm': {
      const { command, note } = checkedDisarm(context, action.kind === 'arm' ? 'arm' : { mode: action.mode });
      // The node whose CRM command queue it goes through: the master's, else the first node's.
      const via = request.masterNode ?? cluster.nodeNames[0]!;
      return queued(command, scenarioCommandOf(command, via), note);
    }
    case 'fence-ack': {
      const command = checkedFenceAck(context, { node: action.node, by: actor });
      return queued(command, scenarioCommandOf(command), fenceAckNote(action.node));
    }
    default:
      return assertNever(action);
  }
}

/** `ha-manager set <sid> --state`: the sid as the CLI reads it, of a configured resource. */
function configuredSid(context: RequestContext, argument: string): string {
  const sid = resolveSid(argument, { config: context.config });
  const checked = checkSid(sid);
  if (!checked.ok) throw new ConfigRefused(checked.problem);
  if (!Object.hasOwn(context.config.resources, sid)) throw new ConfigRefused(unknownResourceMessage(sid));
  return sid;
}
