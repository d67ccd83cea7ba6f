import type { NodeReport, ServiceReport, StatusReport } from './status-report.ts';
import { formatAge } from './text-table.ts';

/**
 * `ha-manager status` in Proxmox VE's layout, so that scripts written for Proxmox keep working: lines
 * `quorum ...`, `master <node> (<state>, <date>)`, `lrm <node> (<state>, <date>)`, `service <sid>
 * (<node>, <state>)`, with the same words; dates as Perl's localtime prints them. What Proxmox does
 * not show (why a service waits, its error and the way out, queued requests) follows as lines indented
 * by two spaces, or as `request` and `disarm` lines, which no Proxmox pattern matches. docs/cli.md "status".
 */
export function renderProxmoxStatus(report: StatusReport): string {
  const lines: string[] = [];
  if (report.configError !== undefined) lines.push(`config: not loadable: ${report.configError}`);
  lines.push(report.quorum.isOk ? 'quorum OK' : `quorum No quorum: ${report.quorum.reason}`);
  const master = report.master;
  if (master !== null) {
    const state = master.isExpired ? 'old timestamp - dead?' : 'active';
    const heartbeat = master.leaseAgeMs === null ? 'never renewed' : ctimeOf(report.wallMs - master.leaseAgeMs);
    lines.push(`master ${master.node} (${state}, ${heartbeat})`);
  }
  lines.push(...disarmLines(report));
  const declaresNodes = report.nodes.some((node) => node.declared);
  for (const node of report.nodes) lines.push(...lrmLines(node, { report, declaresNodes }));
  for (const service of report.services) {
    lines.push(`service ${service.sid} (${service.node ?? '-'}, ${service.state ?? '-'})`);
    for (const note of serviceNotes(service)) lines.push(`  ${note}`);
  }
  for (const queued of report.queuedRequests) lines.push(`request ${queued.request} (queued ${formatAge(queued.ageMs)} ago)`);
  return `${lines.join('\n')}\n`;
}

/**
 * One `lrm` line and its notes. The state word: `old timestamp - dead?` when the LRM has not rewritten
 * its status within fence_timeout (it rewrites it every round), else `maintenance mode`, `active`,
 * `idle` (no agent lease: nothing to run) or `lost agent lease`.
 */
function lrmLines(node: NodeReport, context: { report: StatusReport; declaresNodes: boolean }): string[] {
  const { report, declaresNodes } = context;
  const lines: string[] = [];
  if (node.heartbeatAgeMs === null) {
    lines.push(`lrm ${node.node} (no status: its LRM never ran with this store)`);
  } else {
    lines.push(`lrm ${node.node} (${lrmWord(node, report.fenceTimeoutMs)}, ${ctimeOf(report.wallMs - node.heartbeatAgeMs)})`);
  }
  if (node.state !== null && node.state !== 'online' && node.state !== 'maintenance') lines.push(`  the master sees it as ${node.state}`);
  if (node.maintenance === 'requested') lines.push('  maintenance requested, not yet entered');
  if (node.fenced) lines.push(`  fenced ${formatAge(node.fenced.ageMs)} ago: ${node.fenced.reason}`);
  lines.push(...fenceNotes(node).map((note) => `  ${note}`));
  if (declaresNodes && !node.declared) lines.push(`  not declared in ha.cfg ('ha-manager node add ${node.node}')`);
  return lines;
}

const PROOF_WORDS = {
  reset: 'its watchdog reset it (the master took its agent lease)',
  free: 'its agent lease was free',
  agent: 'its fence devices powered it off',
  kdump: 'it crashed and wrote a kernel dump (fence_kdump)',
  operator: 'an operator confirmed it down',
} as const;

/** What external fencing is doing about a node, and the proof its last fence ended with. */
export function fenceNotes(node: NodeReport): string[] {
  const notes: string[] = [];
  const { attempt, ackBy, lastProof } = node.fence;
  if (attempt !== null) {
    const what = attempt.action === 'soft' ? 'soft fence' : `fence level ${attempt.level + 1} (${attempt.action})`;
    const where = attempt.proxy === '' ? 'waiting for an online node to run it' : `run by ${attempt.proxy}`;
    const failed = attempt.failedPasses > 0 ? `; every level failed ${attempt.failedPasses} time${attempt.failedPasses === 1 ? '' : 's'}` : '';
    notes.push(`fencing: ${what}, ${where}${failed}${attempt.lastError !== undefined ? `; last error: ${attempt.lastError}` : ''}`);
  }
  if (ackBy !== null) notes.push(`fence-ack by ${ackBy}: the master takes it as proof when it fences the node`);
  if (lastProof !== null) notes.push(`last fence proof: ${lastProof.proof} (${PROOF_WORDS[lastProof.proof]}${lastProof.by !== undefined ? `: ${lastProof.by}` : ''})`);
  return notes;
}

/**
 * The HA stack's armed state, only while a disarm request exists (an armed cluster prints what Proxmox
 * prints): `disarm disarming (freeze)` while LRMs still let go, `disarm disarmed (ignore)` once all did.
 */
function disarmLines(report: StatusReport): string[] {
  const disarm = report.disarm;
  if (disarm === null) return [];
  const what = disarm.state === 'disarmed' ? 'no watchdog is armed: nothing is fenced or recovered' : 'waiting for every online LRM to release its agent lease and watchdog';
  const held = disarm.mode === 'freeze' ? 'services are frozen' : 'services are not tracked';
  return [`disarm ${disarm.state} (${disarm.mode})`, `  ${what}; ${held} until 'ha-manager crm-command arm-ha'`];
}

function lrmWord(node: NodeReport, fenceTimeoutMs: number): string {
  if (node.heartbeatAgeMs !== null && node.heartbeatAgeMs > fenceTimeoutMs) return 'old timestamp - dead?';
  if (node.lrmMode === 'maintenance' || node.lrmState === 'maintenance') return 'maintenance mode';
  if (node.lrmMode === 'disarm' && node.lrmState === 'wait_for_agent_lock') return 'disarmed';
  switch (node.lrmState) {
    case 'active':
      return 'active';
    case 'wait_for_agent_lock':
      return 'idle';
    case 'lost_agent_lock':
      return 'lost agent lease';
    default:
      return 'unknown';
  }
}

/** The notes below a service line: today's NOTE column of `--verbose`, and the driver's last failure. */
export function serviceNotes(service: ServiceReport): string[] {
  const notes: string[] = [];
  if (service.error) {
    notes.push(`error: ${service.error.reason}`, `to leave the error state: ${service.error.howToLeave}`);
  } else if (service.state === null) {
    notes.push('not yet taken up by the master');
  } else if (service.requestedState === null) {
    notes.push('no longer configured; the master drops it');
  } else if (service.waitsFor !== null) {
    notes.push(`waits for ${service.waitsFor}`);
  } else if (service.target !== null) {
    notes.push(`moving to ${service.target}`);
  }
  // The reason of the error state already ends with the last failure.
  if (service.error === null && service.lastFailure !== null && service.lastFailure !== '') notes.push(`last failure: ${service.lastFailure}`);
  return notes;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A time as Perl's scalar localtime prints it (`Mon Dec  7 00:17:45 2026`), in the local time zone. */
export function ctimeOf(wallMs: number): string {
  const date = new Date(wallMs);
  const two = (value: number) => String(value).padStart(2, '0');
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} ${time} ${date.getFullYear()}`;
}
