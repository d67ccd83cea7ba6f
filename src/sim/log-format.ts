import type { TraceEvent } from '../common/trace.ts';

/** One readable log line per event: time, node/daemon, what happened. */
export function formatEvent(event: TraceEvent): string {
  const time = String(event.t).padStart(6);
  const who = (event.node === null ? 'cluster' : `${event.node}/${daemonOf(event)}`).padEnd(14);
  return `${time}  ${who}  ${describe(event)}`;
}

function daemonOf(event: TraceEvent): string {
  switch (event.ev) {
    case 'lrm-state':
    case 'service-action':
    case 'lrm-shutdown':
    case 'lrm-mode':
      return 'lrm';
    case 'lock':
      return event.lock.startsWith('ha_agent_') && event.lock === `ha_agent_${event.node}_lock` ? 'lrm' : 'crm';
    case 'policy':
      return event.kind.startsWith('restart') ? 'lrm' : 'crm';
    case 'daemon-exit':
      return event.daemon;
    default:
      return 'crm';
  }
}

function describe(event: TraceEvent): string {
  switch (event.ev) {
    case 'cmd':
      return `command: ${event.cmd}`;
    case 'boot':
      return `${event.target} boots (${event.reason})`;
    case 'crm-state':
    case 'lrm-state':
      return `status ${event.from} -> ${event.to}`;
    case 'node-state':
      return `node ${event.target}: ${event.from} -> ${event.to}`;
    case 'service-add':
      return `adding service ${event.sid} on ${event.on} as ${event.state}`;
    case 'service-state': {
      const target = event.target ? `, target ${event.target}` : '';
      const timeout = event.timeout !== undefined ? `, timeout ${event.timeout}s` : '';
      return `service ${event.sid}: ${event.from} -> ${event.to} (on ${event.on}${target}${timeout})`;
    }
    case 'service-remove':
      return `removing service ${event.sid} (${event.reason})`;
    case 'recover':
      return `recovering ${event.sid} from fenced ${event.from} to ${event.to}`;
    case 'fence':
      return `fencing ${event.target}: waiting for its agent lease`;
    case 'fence-ack': {
      const proof = event.proof === 'reset' ? ': its watchdog reset it' : event.proof === 'free' ? ' (the lease was free)' : '';
      return `fence of ${event.target} acknowledged: holding its agent lease${proof}`;
    }
    case 'fence-wait':
      return `${event.sid} waits for ${event.target} to report, not recovered: ${event.reason}`;
    case 'reset':
      return `${event.target} powered off (${event.reason})`;
    case 'service-action': {
      const target = event.target ? ` to ${event.target}` : '';
      const reason = event.reason ? ` (${event.reason})` : '';
      return `${event.action} ${event.sid}${target}: ${event.result}${reason}`;
    }
    case 'policy':
      return `${event.kind} policy for ${event.sid} ${JSON.stringify(event.detail)}`;
    case 'lock':
      return `got lease ${event.lock}`;
    case 'crm-command':
      return `command '${event.cmd}': ${event.result}${event.reason ? ` (${event.reason})` : ''}`;
    case 'recover-failed':
      return event.reason === undefined ? `no node to recover ${event.sid} from ${event.from}, retrying` : `not recovering ${event.sid} from ${event.from} yet: ${event.reason}`;
    case 'daemon-exit':
      return `${event.daemon} exits`;
    case 'lrm-shutdown':
      return `shutdown requested, policy ${event.policy}`;
    case 'lrm-mode':
      return `mode ${event.mode} (${event.why})`;
    case 'service-fixup':
      return `service ${event.sid}: node corrected ${event.from} -> ${event.to}`;
    case 'sim-end':
      return `simulation ends (${event.result})`;
    case 'log':
      return `${event.level}: ${event.msg}`;
  }
}
