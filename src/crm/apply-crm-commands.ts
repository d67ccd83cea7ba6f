import { assert } from '../common/assert.ts';
import type { ManagerStatus, PendingCommand, ServiceStatus } from '../common/manager-status.ts';
import type { EmitEvent } from '../common/trace.ts';
import { checkCrmCommand, type CommandKnowledge, type CommandVerdict } from './check-crm-command.ts';
import { parseCrmCommand, type CrmCommand } from './crm-command.ts';
import type { DisarmSwitch } from './disarm.ts';

export interface CrmCommandsInput {
  /** The queued lines, oldest first. */
  readonly lines: readonly string[];
  readonly status: ManagerStatus;
  /** What the master knows when it checks (check-crm-command.ts), its own view included. */
  readonly knowing: CommandKnowledge;
  readonly emit: EmitEvent;
  /** Disarms or arms the HA stack (disarm.ts). */
  readonly stack: DisarmSwitch;
}

/**
 * Applies queued commands at the start of a manager round, in queue order, each checked by the one
 * checker the CLI uses too. Moves and stops are stored on the service and consumed by its state
 * handler; maintenance and disarm requests go to the manager status, where the LRMs see them. Every
 * command gets one `crm-command` event with its verdict, before what it causes.
 */
export function applyCrmCommands(input: CrmCommandsInput): void {
  for (const line of input.lines) {
    const parsed = parseCrmCommand(line);
    const verdict: CommandVerdict = parsed.ok ? checkCrmCommand(parsed.value, input.knowing) : { result: 'error', reason: parsed.problem };
    input.emit({ ev: 'crm-command', cmd: line, ...verdict });
    if (parsed.ok && verdict.result === 'accepted') applyOne(parsed.value, input);
  }
}

function applyOne(command: CrmCommand, input: CrmCommandsInput): void {
  const { status } = input;
  switch (command.kind) {
    case 'migrate':
    case 'relocate':
      managed(status, command.sid).cmd = { kind: command.kind, target: command.node };
      return;
    case 'stop':
      managed(status, command.sid).cmd = { kind: 'stop', timeoutS: command.timeoutS } satisfies PendingCommand;
      return;
    case 'enable-node-maintenance':
      status.nodeRequest[command.node] = { ...status.nodeRequest[command.node], maintenance: true };
      return;
    case 'disable-node-maintenance': {
      const request = status.nodeRequest[command.node];
      if (request) {
        delete request.maintenance;
        if (Object.keys(request).length === 0) delete status.nodeRequest[command.node];
      }
      return;
    }
    case 'disarm-ha':
      return input.stack.disarm(command.mode);
    case 'arm-ha':
      return input.stack.arm();
  }
}

/** The checker accepted a service command only for a managed service. */
function managed(status: ManagerStatus, sid: string): ServiceStatus {
  const service = status.serviceStatus.get(sid);
  assert(service !== undefined, `Accepted a command for ${sid}, which is not managed`);
  return service;
}
