import type { StatusReport } from './status-report.ts';
import { fenceNotes, serviceNotes } from './status-proxmox.ts';
import { formatAge, textTable } from './text-table.ts';

/** The text of `ha-manager status --verbose`: the master line, a node table, a service table, leases, queued requests. */
export function renderStatusText(report: StatusReport): string {
  const parts: string[] = [];
  if (report.configError !== undefined) parts.push(`config: not loadable: ${report.configError}`);
  parts.push(`${masterLine(report)}\n${stackLine(report)}`);
  if (report.nodes.length > 0) parts.push(nodeTable(report));
  const fencing = report.nodes.flatMap((node) => fenceNotes(node).map((note) => `${node.node}: ${note}`));
  if (fencing.length > 0) parts.push(fencing.join('\n'));
  parts.push(report.services.length > 0 ? serviceTable(report) : 'no HA resources configured');
  if (report.leases.length > 0) parts.push(leaseTable(report));
  if (report.queuedRequests.length > 0) {
    parts.push(textTable(['REQUEST', 'QUEUED'], report.queuedRequests.map((queued) => [queued.request, `${formatAge(queued.ageMs)} ago`])));
  }
  return `${parts.join('\n\n')}\n`;
}

function masterLine(report: StatusReport): string {
  const master = report.master;
  if (!master) return 'no master';
  const age = `lease age ${formatAge(master.leaseAgeMs)}`;
  return master.isExpired ? `master ${master.node} (${age}, expired: not renewed within the lease timeout)` : `master ${master.node} (${age})`;
}

/** The HA stack's armed state, always (the node table's MODE column shows each LRM's `disarm`). */
function stackLine(report: StatusReport): string {
  const disarm = report.disarm;
  if (disarm === null) return 'HA stack armed';
  const what = disarm.state === 'disarmed' ? 'no watchdog armed, nothing fenced or recovered' : 'waiting for the LRMs to release their leases and watchdogs';
  return `HA stack ${disarm.state} (mode ${disarm.mode}: ${what}; 'ha-manager crm-command arm-ha' arms it)`;
}

function nodeTable(report: StatusReport): string {
  const header = ['NODE', 'STATE', 'LRM', 'MODE', 'HEARTBEAT', 'MAINTENANCE', 'FENCED'];
  const rows = report.nodes.map((node) => {
    const fenced = node.fenced ? `${node.fenced.reason} (${formatAge(node.fenced.ageMs)} ago)` : '-';
    return [
      node.node,
      node.state ?? '-',
      node.lrmState ?? '-',
      node.lrmMode ?? '-',
      formatAge(node.heartbeatAgeMs),
      node.maintenance,
      node.fenced ? `${fenced} at ${new Date(node.fenced.wallMs).toISOString()}` : fenced,
    ];
  });
  return textTable(header, rows);
}

function serviceTable(report: StatusReport): string {
  const header = ['SERVICE', 'STATE', 'NODE', 'TARGET', 'REQUESTED', 'NOTE'];
  const rows = report.services.map((service) => {
    return [service.sid, service.state ?? '-', service.node ?? '-', service.target ?? '-', service.requestedState ?? '-', noteOf(service)];
  });
  return textTable(header, rows);
}

/** The notes of the service line of the Proxmox layout on one line; the error's two notes as one sentence. */
function noteOf(service: StatusReport['services'][number]): string {
  if (service.error) return `${service.error.reason}; to leave the error state: ${service.error.howToLeave}`;
  return serviceNotes(service).join('; ');
}

function leaseTable(report: StatusReport): string {
  const rows = report.leases.map((lease) => [
    lease.name,
    String(lease.generation),
    lease.holder ?? '-',
    formatAge(lease.ageMs),
    lease.isReleased ? 'yes' : 'no',
  ]);
  return textTable(['LEASE', 'GENERATION', 'HOLDER', 'AGE', 'RELEASED'], rows);
}
