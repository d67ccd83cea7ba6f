import type { LrmStatus } from '../common/lrm-status.ts';
import { managerStatusToJson } from '../common/manager-status-json.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import type { StatusRead } from '../store/status-store.ts';
import { StoreUnanswered } from './cli-store.ts';

/** A status file (or key) that exists but cannot be understood; the message names it. */
export class StatusFileError extends Error {
  override name = 'StatusFileError';
}

/** Black-box record a node publishes after a watchdog reset (status/fenced/<node>). */
export interface FencedRecord {
  readonly reason: string;
  readonly wallMs: number;
}

/**
 * The status of the store as `ha-manager status` and the checks of the CLI read it: through the
 * store's status port, so either store reads alike. A corrupt file or key is a StatusFileError naming
 * it; a store that does not answer is StoreUnanswered (both exit 1).
 */
function valueOf<T>(store: ClusterStore, read: StatusRead<T>): T | undefined {
  switch (read.kind) {
    case 'ok':
      return read.value;
    case 'missing':
      return undefined;
    case 'corrupt':
      // The file named once, first: the port's message may name it before each problem.
      throw new StatusFileError(`${read.file}: ${read.message.split(`${read.file}: `).join('')}`);
    case 'unavailable':
      throw new StoreUnanswered(`${store.where}: Cannot read ${read.file}: ${read.message}`);
  }
}

/** The manager status and its JSON (what the master wrote, in the files' field names). */
export function readManagerStatus(store: ClusterStore): { status: ManagerStatus; raw: Record<string, unknown> } | undefined {
  const status = valueOf(store, store.status.readManagerStatus());
  return status === undefined ? undefined : { status, raw: managerStatusToJson(status) as unknown as Record<string, unknown> };
}

/** LRM statuses by node, for every node that published one. */
export function readLrmStatuses(store: ClusterStore): Map<string, LrmStatus> {
  const nodes = store.status.listLrmStatusNodes();
  // A store `ha-manager init` never set up (a bare directory: no status/lrm/) has published nothing.
  if ('kind' in nodes && store.probe() === 'not-set-up') return new Map();
  if ('kind' in nodes) throw new StoreUnanswered(`${store.where}: Cannot list the LRM statuses: ${nodes.message}`);
  const statuses = new Map<string, LrmStatus>();
  for (const node of nodes) {
    const status = valueOf(store, store.status.readLrmStatus(node));
    if (status !== undefined) statuses.set(node, status);
  }
  return statuses;
}

/**
 * Fenced records by node, for `nodes` (the status port reads them by node: a node that published one
 * after a reset is a node the cluster knows — declared, in the manager status, with an LRM status or a lease).
 */
export function readFencedRecords(store: ClusterStore, nodes: Iterable<string>): Map<string, FencedRecord> {
  const records = new Map<string, FencedRecord>();
  for (const node of [...new Set(nodes)].sort()) {
    const record = valueOf(store, store.status.readFencedRecord(node));
    if (record !== undefined) records.set(node, { reason: record.reason, wallMs: record.wallMs });
  }
  return records;
}
