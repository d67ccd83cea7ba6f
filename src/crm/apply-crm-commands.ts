import { assert } from '../common/assert.ts';
import type { ManagerStatus, PendingCommand, ServiceStatus } from '../common/manager-status.ts';
import type { EmitEvent, TraceBody } from '../common/trace.ts';
import { checkCrmCommand, type CommandKnowledge, type CommandVerdict } from './check-crm-command.ts';
import { formatCrmCommand, parseCrmCommand, type CrmCommand } from './crm-command.ts';
import type { DisarmSwitch } from './disarm.ts';
import type { CompiledRules } from './rules/compile-rules.ts';
import { motionWithAffinity } from './rules/motion-affinity.ts';

export interface CrmCommandsInput {
  /** The queued lines, oldest first. */
  readonly lines: readonly string[];
  readonly status: ManagerStatus;
  /** What the master knows when it checks (check-crm-command.ts), its own view included. */
  readonly knowing: CommandKnowledge;
  /** The rules in force: resource affinity refuses some moves and makes partners follow others. */
  readonly rules: CompiledRules;
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
    const { followed, then, ...verdict } = parsed.ok ? applyOne(parsed.value, input) : ({ result: 'error', reason: parsed.problem } as const satisfies Applied);
    input.emit({ ev: 'crm-command', cmd: line, ...verdict });
    for (const event of followed ?? []) input.emit(event); // what the command brought about, after it
    then?.();
  }
}

/**
 * A verdict, the events of what else it did (partners that follow a move), and what it does after
 * its verdict is reported (disarm and arm report their own events, which follow the command's).
 */
type Applied = CommandVerdict & { readonly followed?: readonly TraceBody[]; readonly then?: () => void };

function applyOne(command: CrmCommand, input: CrmCommandsInput): Applied {
  const verdict = checkCrmCommand(command, input.knowing);
  if (verdict.result !== 'accepted') return verdict;
  const { status } = input;
  switch (command.kind) {
    case 'migrate':
    case 'relocate':
      return queueMotion(command, input);
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
    case 'disarm-ha':
      return { ...verdict, then: () => input.stack.disarm(command.mode) };
    case 'arm-ha':
      return { ...verdict, then: () => input.stack.arm() };
    case 'fence-ack':
      status.fenceAcks = { ...status.fenceAcks, [command.node]: { by: command.by } };
      return verdict;
  }
}

/**
 * A move the checker accepted, with resource affinity: refused when a negative partner is on the
 * target; else stored on the service and on every positive partner that follows, each partner with
 * its own `crm-command` event after the command's (README-5.2 §6.5).
 */
function queueMotion(command: Extract<CrmCommand, { kind: 'migrate' | 'relocate' }>, input: CrmCommandsInput): Applied {
  const { status } = input;
  const motion = motionWithAffinity({ sid: command.sid, target: command.node }, input.rules, (sid) => status.serviceStatus.get(sid));
  if (motion.isRefused) return { result: 'error', reason: motion.reason };
  managed(status, command.sid).cmd = { kind: command.kind, target: command.node };
  const via = formatCrmCommand(command);
  const followed: TraceBody[] = [];
  for (const sid of motion.followers) {
    managed(status, sid).cmd = { kind: command.kind, target: command.node };
    const cmd = formatCrmCommand({ kind: command.kind, sid, node: command.node });
    followed.push({ ev: 'crm-command', cmd, result: 'accepted', reason: `positive affinity with ${command.sid}`, via });
  }
  return { result: 'accepted', followed };
}

/** The checker accepted a service command only for a managed service. */
function managed(status: ManagerStatus, sid: string): ServiceStatus {
  const service = status.serviceStatus.get(sid);
  assert(service !== undefined, `Accepted a command for ${sid}, which is not managed`);
  return service;
}
