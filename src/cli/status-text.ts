import type { StatusReport } from './status-report.ts';
import { formatAge, textTable } from './text-table.ts';

/** The text of `ha-manager status --verbose`: the master line, a node table, a service table, leases, queued requests. */
export function renderStatusText(report: StatusReport, isVerbose: boolean): string {
  const parts: string[] = [];
  if (report.configError !== undefined) parts.push(`config: not loadable: ${report.configError}`);
  parts.push(masterLine(report));
  if (report.nodes.length > 0) parts.push(nodeTable(report, isVerbose));
  parts.push(report.services.length > 0 ? serviceTable(report, isVerbose) : 'no HA resources configured');
  if (isVerbose && report.leases.length > 0) parts.push(leaseTable(report));
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

function nodeTable(report: StatusReport, isVerbose: boolean): string {
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
      isVerbose && node.fenced ? `${fenced} at ${new Date(node.fenced.wallMs).toISOString()}` : fenced,
    ];
  });
  return textTable(header, rows);
}

function serviceTable(report: StatusReport, isVerbose: boolean): string {
  const header = isVerbose ? ['SERVICE', 'STATE', 'NODE', 'TARGET', 'REQUESTED', 'NOTE'] : ['SERVICE', 'STATE', 'NODE', 'REQUESTED', 'NOTE'];
  const rows = report.services.map((service) => {
    const cells = [service.sid, service.state ?? '-', service.node ?? '-'];
    if (isVerbose) cells.push(service.target ?? '-');
    cells.push(service.requestedState ?? '-', noteOf(service));
    return cells;
  });
  return textTable(header, rows);
}

function noteOf(service: StatusReport['services'][number]): string {
  // The reason of the error state already ends with the last failure.
  const failure = service.error === null && service.lastFailure !== null && service.lastFailure !== '' ? `last failure: ${service.lastFailure}` : '';
  return [stateNoteOf(service), failure].filter((note) => note !== '').join('; ');
}

function stateNoteOf(service: StatusReport['services'][number]): string {
  if (service.error) return `${service.error.reason}; to leave the error state: ${service.error.howToLeave}`;
  if (service.state === null) return 'not yet taken up by the master';
  if (service.requestedState === null) return 'no longer configured; the master drops it';
  if (service.waitsFor !== null) return `waits for ${service.waitsFor}`;
  if (service.target !== null) return `moving to ${service.target}`;
  return '';
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
