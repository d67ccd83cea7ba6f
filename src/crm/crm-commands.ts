import type { ManagerStatus } from '../common/manager-status.ts';
import type { EmitEvent } from '../common/trace.ts';
import type { NodeStatusTable } from './node-status.ts';

/** A CRM command as queued by `ha-manager` (one line each), parsed. */
export type CrmCommand =
  | { readonly kind: 'migrate' | 'relocate'; readonly sid: string; readonly node: string }
  | { readonly kind: 'stop'; readonly sid: string; readonly timeoutS: number }
  | { readonly kind: 'enable-node-maintenance' | 'disable-node-maintenance'; readonly node: string };

/** Parses one queued command line; undefined when it is not a command. */
export function parseCrmCommand(line: string): CrmCommand | undefined {
  const words = line.trim().split(/\s+/);
  const [kind, first, second] = words;
  if (words.length === 3 && (kind === 'migrate' || kind === 'relocate')) return { kind, sid: first!, node: second! };
  if (words.length === 3 && kind === 'stop' && /^\d+$/.test(second!)) return { kind, sid: first!, timeoutS: Number(second) };
  if (words.length === 2 && (kind === 'enable-node-maintenance' || kind === 'disable-node-maintenance')) {
    return { kind, node: first! };
  }
  return undefined;
}

/**
 * Applies queued commands at the start of a manager round, in queue order. Moves and stops are
 * stored on the service and consumed by its state handler; maintenance requests go to the manager
 * status, where the node's LRM sees them.
 */
export function applyCrmCommands(lines: readonly string[], status: ManagerStatus, nodes: NodeStatusTable, emit: EmitEvent): void {
  for (const line of lines) {
    const command = parseCrmCommand(line);
    const verdict = command ? applyOne(command, status, nodes) : { result: 'error' as const, reason: 'unparsable command' };
    emit({ ev: 'crm-command', cmd: line, ...verdict });
  }
}

type Verdict = { result: 'accepted' | 'error' | 'ignored'; reason?: string };

function applyOne(command: CrmCommand, status: ManagerStatus, nodes: NodeStatusTable): Verdict {
  switch (command.kind) {
    case 'migrate':
    case 'relocate': {
      const service = status.serviceStatus.get(command.sid);
      if (!service) return { result: 'error', reason: `no such service ${command.sid}` };
      if (!nodes.isOnline(command.node)) return { result: 'error', reason: `node ${command.node} not online` };
      if (command.node === service.node) return { result: 'ignored', reason: `already on ${command.node}` };
      service.cmd = { kind: command.kind, target: command.node };
      return { result: 'accepted' };
    }
    case 'stop': {
      const service = status.serviceStatus.get(command.sid);
      if (!service) return { result: 'error', reason: `no such service ${command.sid}` };
      service.cmd = { kind: 'stop', timeoutS: command.timeoutS };
      return { result: 'accepted' };
    }
    case 'enable-node-maintenance': {
      const state = nodes.stateOf(command.node);
      if (state === 'maintenance') return { result: 'ignored', reason: `${command.node} already in maintenance` };
      if (state !== 'online') return { result: 'error', reason: `node ${command.node} not online` };
      status.nodeRequest[command.node] = { ...status.nodeRequest[command.node], maintenance: true };
      return { result: 'accepted' };
    }
    case 'disable-node-maintenance': {
      const state = nodes.stateOf(command.node);
      const request = status.nodeRequest[command.node];
      if (request) {
        delete request.maintenance;
        if (Object.keys(request).length === 0) delete status.nodeRequest[command.node];
      }
      return state === 'maintenance' ? { result: 'accepted' } : { result: 'accepted', reason: `${command.node} was ${state}` };
    }
  }
}
