import { assert } from '../common/assert.ts';
import type { ManagerStatus, PendingCommand, ServiceStatus } from '../common/manager-status.ts';
import type { EmitEvent } from '../common/trace.ts';
import { checkCrmCommand, type CommandKnowledge, type CommandVerdict } from './check-crm-command.ts';
import { parseCrmCommand, type CrmCommand } from './crm-command.ts';

export interface CrmCommandsInput {
  /** The queued lines, oldest first. */
  readonly lines: readonly string[];
  readonly status: ManagerStatus;
  /** What the master knows when it checks (check-crm-command.ts), its own view included. */
  readonly knowing: CommandKnowledge;
  readonly emit: EmitEvent;
}

/**
 * Applies queued commands at the start of a manager round, in queue order, each checked by the one
 * checker the CLI uses too. Moves and stops are stored on the service and consumed by its state
 * handler; maintenance requests go to the manager status, where the node's LRM sees them. Every
 * command gets one `crm-command` event with its verdict.
 */
export function applyCrmCommands(input: CrmCommandsInput): void {
  for (const line of input.lines) {
    const parsed = parseCrmCommand(line);
    const verdict = parsed.ok ? applyOne(parsed.value, input) : ({ result: 'error', reason: parsed.problem } as const);
    input.emit({ ev: 'crm-command', cmd: line, ...verdict });
  }
}

function applyOne(command: CrmCommand, input: CrmCommandsInput): CommandVerdict {
  const verdict = checkCrmCommand(command, input.knowing);
  if (verdict.result !== 'accepted') return verdict;
  const { status } = input;
  switch (command.kind) {
    case 'migrate':
    case 'relocate':
      managed(status, command.sid).cmd = { kind: command.kind, target: command.node };
      return verdict;
    case 'stop':
      managed(status, command.sid).cmd = { kind: 'stop', timeoutS: command.timeoutS } satisfies PendingCommand;
      return verdict;
    case 'enable-node-maintenance':
      status.nodeRequest[command.node] = { ...status.nodeRequest[command.node], maintenance: true };
      return verdict;
    case 'disable-node-maintenance': {
      const request = status.nodeRequest[command.node];
      if (request) {
        delete request.maintenance;
        if (Object.keys(request).length === 0) delete status.nodeRequest[command.node];
      }
      return verdict;
    }
  }
}

/** The checker accepted a service command only for a managed service. */
function managed(status: ManagerStatus, sid: string): ServiceStatus {
  const service = status.serviceStatus.get(sid);
  assert(service !== undefined, `Accepted a command for ${sid}, which is not managed`);
  return service;
}
