import { assertNever } from './assert.ts';
import type { LogLevel, ResetReason, TraceBody, TraceEvent } from './trace.ts';

/**
 * The readable log: one line per trace event, in the words Proxmox VE's HA stack logs (so an operator
 * who greps `state changed from`, `got lock` or `status change` finds the same lines here), e.g.
 * `node1/crm: service 'vm:100': state changed from 'started' to 'fence'  (node = node2)`.
 * One formatter for the simulator's log (src/sim/log-format.ts), the daemons' stderr (./log-sink.ts)
 * and `ha-manager log`; the trace JSON stays the machines' format and is not touched here.
 */
export function eventLine(event: TraceEvent): string {
  return `${whoOf(event)}: ${eventWords(event)}`;
}

/** `node1/crm`, or `cluster` for the simulator's own events (commands, boots, resets). */
export function whoOf(event: TraceEvent): string {
  return event.node === null ? 'cluster' : `${event.node}/${daemonOfEvent(event)}`;
}

/** Which daemon of a node emitted an event (the trace does not carry it: the events tell). */
export function daemonOfEvent(event: TraceEvent): 'crm' | 'lrm' {
  switch (event.ev) {
    case 'lrm-state':
    case 'service-action':
    case 'lrm-shutdown':
    case 'lrm-mode':
      return 'lrm';
    case 'lock':
      return lockName(event.lock) === `ha_agent_${event.node}_lock` ? 'lrm' : 'crm';
    case 'policy':
      return event.kind.startsWith('restart') ? 'lrm' : 'crm';
    case 'daemon-exit':
      return event.daemon;
    default:
      return 'crm';
  }
}

/** The level a journal (syslog priority) files the event under. */
export function levelOfEvent(event: TraceBody): LogLevel {
  switch (event.ev) {
    case 'log':
      return event.level;
    case 'service-action':
    case 'crm-command':
      return event.result === 'error' ? 'err' : 'info';
    case 'policy':
      return event.kind === 'error' || event.kind === 'restart-exhausted' ? 'err' : 'notice';
    case 'recover-failed':
    case 'fence-wait':
    case 'rule-dropped':
      return 'warn';
    case 'fence-result':
      return event.result === 'ok' ? 'notice' : 'err';
    case 'fence':
    case 'fence-ack':
    case 'fence-request':
    case 'recover':
    case 'reset':
      return 'notice';
    default:
      return 'info';
  }
}

/** What happened, without who. */
export function eventWords(event: TraceEvent): string {
  switch (event.ev) {
    case 'cmd':
      return `command: ${event.cmd}`;
    case 'boot':
      return `${event.target} boots (${event.reason})`;
    case 'crm-state':
    case 'lrm-state':
      return `status change ${event.from} => ${event.to}`;
    case 'node-state':
      return `node '${event.target}': state changed from '${event.from}' => '${event.to}'`;
    case 'service-add':
      return `adding new service '${event.sid}' on node '${event.on}' (state '${event.state}')`;
    case 'service-state': {
      const target = event.target ? `, target = ${event.target}` : '';
      const timeout = event.timeout !== undefined ? `, timeout = ${event.timeout}` : '';
      const reason = event.reason === 'disarm' ? ', disarm' : '';
      return `service '${event.sid}': state changed from '${event.from}' to '${event.to}'  (node = ${event.on}${target}${timeout}${reason})`;
    }
    case 'service-remove':
      return event.reason === 'deleted' ? `removing stale service '${event.sid}' (no config)` : `removing service '${event.sid}' (state 'ignored')`;
    case 'recover':
      return `recover service '${event.sid}' from fenced node '${event.from}' to node '${event.to}'`;
    case 'fence':
    case 'fence-ack':
    case 'fence-request':
    case 'fence-result':
    case 'fence-wait':
      return fenceWords(event);
    case 'reset':
      return `${event.target} powered off (${RESET_WORDS[event.reason] ?? event.reason})`;
    case 'service-action':
      return serviceActionWords(event);
    case 'policy':
      return policyWords(event);
    case 'lock': {
      const lock = lockName(event.lock);
      return daemonOfEvent(event) === 'crm' && lock.startsWith('ha_agent_') ? `successfully acquired lock '${lock}'` : `got lock '${lock}'`;
    }
    case 'crm-command':
      if (event.via !== undefined) return `crm command '${event.via}' - ${event.cmd} (${event.reason ?? 'follows'})`;
      return `got crm command: ${event.cmd}${event.result === 'accepted' ? '' : ` (${event.result}${event.reason ? `: ${event.reason}` : ''})`}`;
    case 'rule-dropped':
      return `Drop rule '${event.rule}', because ${event.reason}.`;
    case 'group-migration':
      return event.result === 'ok' ? 'ha groups migration successful' : `ha groups migration failed: ${event.reason ?? 'unknown reason'}`;
    case 'recover-failed':
      return event.reason === undefined
        ? `recovering service '${event.sid}' from fenced node '${event.from}' failed, no recovery node found`
        : `not recovering service '${event.sid}' from fenced node '${event.from}' yet: ${event.reason}`;
    case 'daemon-exit':
      return 'exit (loop end)';
    case 'lrm-shutdown':
      return `shutdown LRM, shutdown policy '${event.policy}'`;
    case 'lrm-mode':
      return `mode change to '${event.mode}' (${event.why})`;
    case 'rebalance':
      return `auto rebalance - ${event.action} ${event.sid} to ${event.target} (expected change for imbalance from ${event.imbalance_from.toFixed(2)} to ${event.imbalance_to.toFixed(2)})`;
    case 'service-fixup':
      return `service '${event.sid}': node corrected from '${event.from}' to '${event.to}'${FIXUP_REASON_WORDS[event.reason ?? 'none']}`;
    case 'disarm-state':
      return disarmWords(event);
    case 'service-tracking':
      return `service '${event.sid}': tracking suspended while the HA stack is disarmed`;
    case 'sim-end':
      return `simulation ends (${event.result})`;
    case 'log':
      return event.msg;
  }
}

/**
 * The lock as Proxmox names it: the simulator's trace already does (`ha_manager_lock`,
 * `ha_agent_node1_lock`); the daemons' lease directory names them `manager` and `agent.node1`.
 */
export function lockName(lock: string): string {
  if (lock === 'manager') return 'ha_manager_lock';
  return lock.startsWith('agent.') ? `ha_agent_${lock.slice('agent.'.length)}_lock` : lock;
}

/** Reasons that read better spelled out; the others are one word already. */
const FIXUP_REASON_WORDS = {
  none: '',
  arm: ' (changed while disarmed)',
  'wrong-node': " (its LRM answered 'wrong node' and found it not running there)",
} as const;

const RESET_WORDS: Partial<Record<ResetReason, string>> = { fence: 'by its fence devices', kdump: 'kernel crash, writing a dump' };

type FenceAckEvent = Extract<TraceBody, { ev: 'fence-ack' }>;

function fenceAckWords(event: FenceAckEvent): string {
  switch (event.proof) {
    case 'agent':
      return `fencing: acknowledged - node '${event.target}' powered off by its fence devices`;
    case 'kdump':
      return `fencing: acknowledged - node '${event.target}' crashed and is writing a kernel dump (fence_kdump)`;
    case 'operator':
      return `fencing: acknowledged - node '${event.target}' confirmed down by ${event.by ?? 'an operator'}`;
    case 'reset':
      return `fencing: acknowledged - got agent lock for node '${event.target}' (its watchdog reset it)`;
    case 'free':
      return `fencing: acknowledged - got agent lock for node '${event.target}' (the lock was free)`;
    case undefined:
      return `fencing: acknowledged - got agent lock for node '${event.target}'`;
    default:
      return assertNever(event.proof, 'fence proof');
  }
}

function fenceWords(event: Extract<TraceBody, { ev: 'fence' | 'fence-ack' | 'fence-request' | 'fence-result' | 'fence-wait' }>): string {
  switch (event.ev) {
    case 'fence':
      return `fencing node '${event.target}': waiting for its agent lock`;
    case 'fence-ack':
      return fenceAckWords(event);
    case 'fence-request':
      return `fencing node '${event.target}': asked node '${event.proxy}' to run ${fenceJobName(event.action, event.level)}`;
    case 'fence-result':
      return `fencing node '${event.target}': ${fenceJobName(event.action, event.level)} on node '${event.proxy}' ${event.result === 'ok' ? 'succeeded' : `failed${event.reason ? `: ${event.reason}` : ''}`}`;
    case 'fence-wait':
      return `service '${event.sid}': not recovered, waiting for node '${event.target}' to report: ${event.reason}`;
  }
}

function fenceJobName(action: 'off' | 'on' | 'soft', level: number): string {
  return action === 'soft' ? 'the soft fence' : `fence level ${level + 1} (${action})`;
}

type DisarmStateEvent = Extract<TraceBody, { ev: 'disarm-state' }>;

function disarmWords(event: DisarmStateEvent): string {
  if (event.to === 'disarming') return `disarm requested (mode '${event.mode ?? '?'}'): waiting for every LRM to release its agent lock and watchdog`;
  if (event.to === 'disarmed') return 'all LRMs disarmed: HA stack disarmed, nothing is fenced or recovered';
  return `HA stack armed again (was ${event.from})`;
}

type ServiceActionEvent = Extract<TraceBody, { ev: 'service-action' }>;

function serviceActionWords(event: ServiceActionEvent): string {
  const { sid, action } = event;
  const target = event.target ? ` to node '${event.target}'` : '';
  const reason = event.reason ? `: ${event.reason}` : '';
  if (event.result === 'ignored') return `service ${sid} - ${action}${target} ignored${reason}`;
  if (event.result === 'ok') {
    if (action === 'start') return `service status ${sid} started`;
    if (action === 'stop') return `service status ${sid} stopped`;
    return `service ${sid} - end ${action}${target}`;
  }
  if (action === 'start' || action === 'stop') return `unable to ${action} service ${sid}${reason}`;
  if (action === 'migrate') return `service ${sid} - migration${target} failed${reason}`;
  if (action === 'relocate') return `service ${sid} - relocation${target} failed${reason}`;
  return `service ${sid} - ${action}${target} failed${reason}`;
}

type PolicyEvent = Extract<TraceBody, { ev: 'policy' }>;

function policyWords(event: PolicyEvent): string {
  const { sid, detail } = event;
  const nodes = (value: unknown) => (Array.isArray(value) && value.length > 0 ? value.join(', ') : 'none');
  switch (event.kind) {
    case 'restart':
      return `restart policy: retry number ${String(detail.attempt)} for service '${sid}'`;
    case 'restart-exhausted':
      return `restart policy: service '${sid}' failed ${String(detail.retries)} restarts, giving up on this node`;
    case 'relocate':
      return `relocate policy: service '${sid}' failed on node '${String(detail.failed_on)}', trying another node (failed nodes: ${nodes(detail.failed_nodes)})`;
    case 'relocate-ok':
      return `relocate policy: service '${sid}' started on node '${String(detail.node)}' (failed nodes: ${nodes(detail.failed_nodes)})`;
    case 'retry-current':
      return `relocate policy: no other node for service '${sid}', retrying on its current node (failed nodes: ${nodes(detail.failed_nodes)})`;
    case 'error':
      return `recovery policy for service ${sid} failed, entering error state. Failed nodes: ${nodes(detail.failed_nodes)}`;
    default:
      return `${event.kind} policy for service '${sid}' ${JSON.stringify(detail)}`;
  }
}
