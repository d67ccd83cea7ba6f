import { assert, assertNever } from '../common/assert.ts';
import type { CrmCommand } from '../crm/crm-command.ts';
import type { SimCommand } from './sim-commands.ts';

/**
 * CRM commands in the scenario language: `service <sid> migrate|relocate <node>`, `service <sid>
 * stop <timeout>`, `crm <node> enable-node-maintenance|disable-node-maintenance`, `crm <node>
 * disarm-ha <mode>` and `crm <node> arm-ha` each queue one.
 * These two functions map between the scenario command and the typed CRM command, whose queued text
 * only src/crm/crm-command.ts writes.
 */

/** The CRM command a scenario command queues; undefined for every other scenario command. */
export function crmCommandOf(command: SimCommand): CrmCommand | undefined {
  switch (command.kind) {
    case 'service-move':
      return { kind: command.move, sid: command.sid, node: command.node };
    case 'service-stop':
      return { kind: 'stop', sid: command.sid, timeoutS: command.timeoutS };
    case 'crm':
      return command.action === 'enable-node-maintenance' || command.action === 'disable-node-maintenance' ? { kind: command.action, node: command.node } : undefined;
    case 'crm-disarm':
      return { kind: 'disarm-ha', mode: command.mode };
    case 'crm-arm':
      return { kind: 'arm-ha' };
    case 'crm-fence-ack':
      return { kind: 'fence-ack', node: command.node, by: command.by };
    default:
      return undefined;
  }
}

/**
 * The scenario command that queues a CRM command (for generated scenarios: the chaos swarm). A
 * disarm or arm names no node of its own: `via` is the node whose `ha-manager` queues it.
 */
export function scenarioCommandOf(command: CrmCommand, via?: string): string {
  switch (command.kind) {
    case 'migrate':
    case 'relocate':
      return `service ${command.sid} ${command.kind} ${command.node}`;
    case 'stop':
      return `service ${command.sid} stop ${command.timeoutS}`;
    case 'enable-node-maintenance':
    case 'disable-node-maintenance':
      return `crm ${command.node} ${command.kind}`;
    case 'disarm-ha':
    case 'arm-ha':
      assert(via !== undefined, `Scenario command for ${command.kind} needs the node that queues it`);
      return command.kind === 'arm-ha' ? `crm ${via} arm-ha` : `crm ${via} disarm-ha ${command.mode}`;
    case 'fence-ack':
      return `crm ${command.node} fence-ack ${command.by}`;
    default:
      return assertNever(command, 'CRM command');
  }
}
