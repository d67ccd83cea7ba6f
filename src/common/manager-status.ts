import { ServiceTable } from './service-table.ts';
import type { DisarmMode, DisarmState, NodeState, ServiceState } from './states.ts';

/** A command the master has accepted for a service and not yet acted on. */
export type PendingCommand =
  | { readonly kind: 'migrate' | 'relocate'; readonly target: string }
  | { readonly kind: 'stop'; readonly timeoutS: number };

/**
 * The master's record of one managed service. Every field is always present (undefined when not
 * set) so that all records share one shape: the manager touches thousands of them per round.
 */
export interface ServiceStatus {
  state: ServiceState;
  node: string;
  /** Request id: fresh on every state change; the LRM reports its result under it. */
  uid: string;
  target: string | undefined;
  /** Set once the LRM has reported a successful start while `started`. */
  running: boolean;
  /** Nodes where starting failed, in order, repeats included (relocate policy). */
  failedNodes: string[] | undefined;
  /** Node the service left for maintenance, and returns to once that node is back. */
  maintenanceNode: string | undefined;
  /** Stop timeout in seconds, for `request_stop`. */
  timeoutS: number | undefined;
  cmd: PendingCommand | undefined;
  /**
   * The service may run on its node without that node's LRM knowing: it was just put under HA (a
   * new resource, or one leaving `ignored`), or migrated there online. A free agent lease of the node
   * proves nothing about it (DESIGN.md "What proves a node fenced"). Cleared once that node's LRM
   * reports a result for it: from then on the LRM stops it before it gives its lease up.
   */
  mayRunUnmanaged: boolean;
  /**
   * In `fence`: the node was fenced by a proof that does not cover this service (a free lease while it
   * may run unmanaged), so it waits for its node to report instead of being recovered on a guess.
   */
  isWaitingForNode: boolean;
  /**
   * The last failed action, one line with the driver's reason (`start on node1: lxc-start -n 102: ...`),
   * for `status` while the master retries, relocates or holds the service in `error`; cleared by a
   * successful start or stop.
   */
  lastFailure: string | undefined;
}

export function newServiceStatus(state: ServiceState, node: string, uid: string): ServiceStatus {
  return {
    state,
    node,
    uid,
    target: undefined,
    running: false,
    failedNodes: undefined,
    maintenanceNode: undefined,
    timeoutS: undefined,
    cmd: undefined,
    mayRunUnmanaged: false,
    isWaitingForNode: false,
    lastFailure: undefined,
  };
}

/** What the master persists after every manager round; read by LRMs and by the next master. */
export interface ManagerStatus {
  masterNode?: string;
  nodeStatus: Record<string, NodeState>;
  /** By sid (see ServiceTable: a Map-like table whose copies are cheap). */
  serviceStatus: ServiceTable;
  /** Manual maintenance requests, by node. */
  nodeRequest: Record<string, { maintenance?: boolean }>;
  timestampMs?: number;
  /** Orders saved statuses across masters without comparing clocks (isOlderStatus). */
  version?: ManagerStatusVersion;
  /** The disarm request (`disarm-ha`) while there is one: it survives master changes. */
  disarm?: DisarmRequest;
  /** External fencing under way, by target node (src/crm/external-fencing.ts); absent when none. */
  fencing?: Record<string, FenceAttempt>;
  /** Operators' confirmations (`fence-ack`) accepted and not yet used as proof, by node. */
  fenceAcks?: Record<string, { readonly by: string }>;
  /** The last fence of each node: which proof ended it (DESIGN.md "What proves a node fenced"), and when. */
  lastFence?: Record<string, FenceRecord>;
}

/** Removes `node`'s entry from one of the status's by-node fencing records; the record goes when it empties (the JSON leaves it out). */
export function dropNodeEntry(status: ManagerStatus, field: 'fencing' | 'fenceAcks', node: string): void {
  const record: Record<string, unknown> | undefined = status[field];
  if (record?.[node] === undefined) return;
  const { [node]: _dropped, ...rest } = record;
  if (Object.keys(rest).length === 0) delete status[field];
  else status[field] = rest as never;
}

/** The proofs that a node is fenced; the master recovers a lost node's services on nothing else. */
export type FenceProof = 'reset' | 'free' | 'agent' | 'kdump' | 'operator';

export interface FenceRecord {
  readonly proof: FenceProof;
  /** The operator, for `operator`. */
  readonly by?: string;
  /** The master's clock (status.timestampMs's), when it took the proof. */
  readonly timestampMs: number;
}

/** What a fence proxy is asked to do: a level of fence.cfg (`off`, then `on` after the recovery), or a soft fence. */
export type FenceAction = 'off' | 'on' | 'soft';

/**
 * One fence job the master asked a proxy to run for a lost node. The proxy's LRM runs it once per uid
 * and reports under that uid in its status (LrmStatus.fenceResults).
 */
export interface FenceAttempt {
  readonly uid: string;
  readonly proxy: string;
  readonly action: FenceAction;
  /** Index into fenceLevelsFor(fence.cfg, target); 0 for a soft fence. */
  readonly level: number;
  /** Whole passes through every level that failed so far. */
  readonly failedPasses: number;
  /** The last failure, one line with secrets masked, for `status`. */
  readonly lastError?: string;
}

/** A disarm request: how services are held, and whether every online LRM has let go yet. */
export interface DisarmRequest {
  readonly mode: DisarmMode;
  readonly state: DisarmState;
}

/**
 * Which save of the manager status this is: the generation of the manager lease its master held (a
 * new master's take makes a higher one) and that master's count of saves. A reader that has seen a
 * version never acts on an older one: a stale read (a cached file, a lagging replica) must not bring
 * back a decision the master has since replaced — a service moved away, started again on its source.
 */
export interface ManagerStatusVersion {
  readonly lease: number;
  readonly round: number;
}

/** Whether `version` comes before `seen` (a status without a version is never older: nothing to order). */
export function isOlderStatus(version: ManagerStatusVersion | undefined, seen: ManagerStatusVersion | undefined): boolean {
  if (version === undefined || seen === undefined) return false;
  return version.lease < seen.lease || (version.lease === seen.lease && version.round < seen.round);
}

export function emptyManagerStatus(): ManagerStatus {
  return { nodeStatus: {}, serviceStatus: ServiceTable.empty(), nodeRequest: {} };
}

/** A copy the master can keep mutating while readers hold the saved one. */
export function copyServiceStatus(status: ServiceStatus): ServiceStatus {
  return {
    state: status.state,
    node: status.node,
    uid: status.uid,
    target: status.target,
    running: status.running,
    failedNodes: status.failedNodes ? [...status.failedNodes] : undefined,
    maintenanceNode: status.maintenanceNode,
    timeoutS: status.timeoutS,
    cmd: status.cmd,
    mayRunUnmanaged: status.mayRunUnmanaged,
    isWaitingForNode: status.isWaitingForNode,
    lastFailure: status.lastFailure,
  };
}

export function copyManagerStatus(status: ManagerStatus): ManagerStatus {
  const serviceStatus = status.serviceStatus.snapshot(copyServiceStatus);
  const nodeRequest: ManagerStatus['nodeRequest'] = {};
  for (const [node, request] of Object.entries(status.nodeRequest)) nodeRequest[node] = { ...request };
  const copy: ManagerStatus = { nodeStatus: { ...status.nodeStatus }, serviceStatus, nodeRequest };
  if (status.masterNode !== undefined) copy.masterNode = status.masterNode;
  if (status.timestampMs !== undefined) copy.timestampMs = status.timestampMs;
  if (status.version !== undefined) copy.version = status.version;
  if (status.disarm !== undefined) copy.disarm = status.disarm;
  if (status.fencing !== undefined) copy.fencing = { ...status.fencing };
  if (status.fenceAcks !== undefined) copy.fenceAcks = { ...status.fenceAcks };
  if (status.lastFence !== undefined) copy.lastFence = { ...status.lastFence };
  return copy;
}
