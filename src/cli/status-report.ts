import { ServiceTable } from '../common/service-table.ts';
import type { LrmActionResult, LrmStatus } from '../common/lrm-status.ts';
import { LrmResult, lrmResultName } from '../common/lrm-result.ts';
import type { DisarmRequest, FenceAttempt, FenceRecord, ManagerStatus, ServiceStatus } from '../common/manager-status.ts';
import type { LrmMode, LrmState, NodeState, RequestedState, ServiceState } from '../common/states.ts';
import { DEFAULT_TIMING, type Timing } from '../common/timing.ts';
import { ConfigError } from '../config/section-config.ts';
import { loadHaConfig, loadTiming, type LoadedConfig } from '../config/load-config.ts';
import type { LeaseView } from '../store/lease-view.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { unavailableError } from './cli-store.ts';
import type { HaConfig } from '../env/env.ts';
import { readFencedRecords, readLrmStatuses, readManagerStatus, type FencedRecord } from './status-files.ts';

/** What `ha-manager status` shows, as data; the text and JSON outputs both render this. */
export interface StatusReport {
  readonly wallMs: number;
  readonly master: MasterReport | null;
  readonly nodes: NodeReport[];
  readonly services: ServiceReport[];
  /** The current generation of every lease (manager and agent leases). */
  readonly leases: LeaseReport[];
  /** Set when the config files do not load: requested states are then unknown. */
  readonly configError?: string;
  /** The fence timeout of ha.cfg (the default when it does not load): what `fresh` means for a lease or status. */
  readonly fenceTimeoutMs: number;
  /** OK when a master holds a fresh manager lease (the shared directory was readable to get here). */
  readonly quorum: { readonly isOk: boolean; readonly reason: string | null };
  /** Requests queued for the master (commands/), oldest first. */
  readonly queuedRequests: QueuedRequestReport[];
  /** The disarm request in the manager status (`crm-command disarm-ha`); null: the HA stack is armed. */
  readonly disarm: DisarmRequest | null;
}

export interface QueuedRequestReport {
  readonly request: string;
  readonly queuedWallMs: number;
  readonly ageMs: number;
}

export interface MasterReport {
  readonly node: string;
  readonly leaseGeneration: number;
  readonly leaseAgeMs: number | null;
  /** The lease was not renewed within the lease timeout of ha.cfg: the master is probably gone. */
  readonly isExpired: boolean;
}

export interface LeaseReport {
  readonly name: string;
  readonly generation: number;
  readonly holder: string | null;
  readonly ageMs: number | null;
  readonly isReleased: boolean;
}

export interface NodeReport {
  readonly node: string;
  /** A `node:` section of ha.cfg declares it. */
  readonly declared: boolean;
  /** The master's view of the node (status/manager.json), null when the master does not list it. */
  readonly state: NodeState | null;
  readonly lrmState: LrmState | null;
  readonly lrmMode: LrmMode | null;
  /** Age of the node's LRM status, which its LRM rewrites every round. */
  readonly heartbeatAgeMs: number | null;
  readonly maintenance: 'no' | 'requested' | 'yes';
  readonly fenced: (FencedRecord & { readonly ageMs: number }) | null;
  /** External fencing (fence.cfg): the job under way, an operator's confirmation not yet used, the last proof. */
  readonly fence: NodeFenceReport;
}

export interface NodeFenceReport {
  readonly attempt: FenceAttempt | null;
  readonly ackBy: string | null;
  readonly lastProof: FenceRecord | null;
}

export interface ServiceReport {
  readonly sid: string;
  /** Null when the master has not taken the resource into its status yet. */
  readonly state: ServiceState | null;
  readonly node: string | null;
  readonly target: string | null;
  /** Null when the resource is no longer configured (or the config does not load). */
  readonly requestedState: RequestedState | null;
  readonly error: { readonly reason: string; readonly howToLeave: string } | null;
  /**
   * The last failed action with the driver's reason (`start on node1: lxc-start -n 102: ...`) while the
   * master retries, relocates or holds the service in error; null when there is none.
   */
  readonly lastFailure: string | null;
  /** What the master waits for before it acts on the service (a fence proof, a node), or null. */
  readonly waitsFor: string | null;
  /** The resource's comment in resources.cfg (the web console shows it), or null. */
  readonly comment: string | null;
}

/** Reads everything `status` shows; throws StatusFileError naming a corrupt status file. */
export function collectStatus(store: ClusterStore, wallMs: number = Date.now()): StatusReport {
  let loaded: LoadedConfig | undefined;
  let configError: string | undefined;
  try {
    loaded = loadHaConfig(store);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    configError = error.message;
  }
  const manager = readManagerStatus(store);
  const lrmStatuses = readLrmStatuses(store);
  const leases = leasesOf(store);
  const agentNodes = [...leases.keys()].filter((name) => name.startsWith('agent.')).map((name) => name.slice('agent.'.length));
  // The status port reads fenced records by node: every node the report can list (see nodeReports).
  const groupNodes = Object.values(loaded?.config.groups ?? {}).flatMap((group) => Object.keys(group.nodes));
  const nodes = [...Object.keys(loaded?.nodes ?? {}), ...Object.keys(manager?.status.nodeStatus ?? {}), ...lrmStatuses.keys(), ...agentNodes, ...groupNodes];
  return buildStatusReport({
    wallMs,
    config: loaded?.config,
    declaredNodes: Object.keys(loaded?.nodes ?? {}),
    configError,
    leaseTimeoutMs: (loaded?.timing ?? timingOf(store)).leaseTimeoutMs,
    manager,
    lrmStatuses,
    leases,
    fenced: readFencedRecords(store, nodes),
    queued: queuedOf(store),
  });
}

/** The current generation of every lease; a store that does not answer is an error (exit 1). */
export function leasesOf(store: ClusterStore): Map<string, LeaseView> {
  const leases = store.readLeases();
  if (leases instanceof Map) return leases;
  throw unavailableError(store, leases, 'Cannot read the leases');
}

function queuedOf(store: ClusterStore): ReadonlyArray<{ readonly line: string; readonly queuedWallMs: number }> {
  const queued = store.commands.read();
  if ('kind' in queued) throw unavailableError(store, queued, 'Cannot read the queued requests');
  return queued;
}

/**
 * What `status` is made from, however it was read: a shared directory's files (collectStatus), or a
 * simulated cluster's state (src/web/sim-source.ts), so both are reported by the same rules.
 */
export interface StatusInputs {
  readonly wallMs: number;
  /** Undefined when the config files do not load (configError says why). */
  readonly config: HaConfig | undefined;
  /** The nodes the configuration declares (ha.cfg's `node:` sections, a scenario's hardware_status). */
  readonly declaredNodes: readonly string[];
  readonly configError: string | undefined;
  readonly leaseTimeoutMs: number;
  /** The manager status and the raw JSON it came from (for fields our shape does not keep). */
  readonly manager: { readonly status: ManagerStatus; readonly raw: Record<string, unknown> } | undefined;
  readonly lrmStatuses: ReadonlyMap<string, LrmStatus>;
  /** The current generation of every lease, by name (`manager`, `agent.<node>`). */
  readonly leases: ReadonlyMap<string, LeaseView>;
  /** The nodes' black-box records after a reset. */
  readonly fenced: ReadonlyMap<string, FencedRecord>;
  /** Requests queued for the master, oldest first. */
  readonly queued: readonly { readonly line: string; readonly queuedWallMs: number }[];
}

/** The report of `status` from what was read. */
export function buildStatusReport(inputs: StatusInputs): StatusReport {
  const { wallMs, leaseTimeoutMs, manager, leases, configError } = inputs;
  const master = masterReport(leases.get('manager'), wallMs, leaseTimeoutMs);
  return {
    wallMs,
    master,
    fenceTimeoutMs: leaseTimeoutMs,
    quorum: quorumOf(master),
    queuedRequests: inputs.queued.map((queued) => ({ request: queued.line, queuedWallMs: queued.queuedWallMs, ageMs: Math.max(0, wallMs - queued.queuedWallMs) })),
    nodes: nodeReports(inputs),
    services: serviceReports(manager, inputs.lrmStatuses, inputs.config),
    disarm: manager?.status.disarm ?? null,
    leases: [...leases.values()].map((lease) => ({
      name: lease.name,
      generation: lease.generation,
      holder: lease.holder?.node ?? null,
      ageMs: lease.heartbeat ? Math.max(0, wallMs - lease.heartbeat.wallMs) : null,
      isReleased: lease.isReleased,
    })),
    ...(configError !== undefined ? { configError } : {}),
  };
}

/**
 * `quorum` in the Proxmox layout: there is no cluster membership here, so OK means what a quorate
 * Proxmox node promises its services — a master is deciding: one holds the manager lease and renewed
 * it within the fence timeout. The shared directory was readable, or status would have failed.
 */
function quorumOf(master: MasterReport | null): StatusReport['quorum'] {
  if (master === null) return { isOk: false, reason: 'no node holds the manager lease, so no master decides' };
  if (master.isExpired) return { isOk: false, reason: `the manager lease of ${master.node} was not renewed within fence_timeout, so no master decides` };
  return { isOk: true, reason: null };
}

/**
 * The master whose manager lease is held and fresh (renewed within the lease timeout), or null: the
 * CLI warns that a request only waits in the queue while there is none.
 */
export function activeMaster(store: ClusterStore, wallMs: number = Date.now()): MasterReport | null {
  const master = masterReport(leasesOf(store).get('manager'), wallMs, timingOf(store).leaseTimeoutMs);
  return master === null || master.isExpired ? null : master;
}

/** The timings of ha.cfg when only another config file is broken; the defaults when ha.cfg is broken too. */
function timingOf(store: ClusterStore): Timing {
  try {
    return loadTiming(store);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return DEFAULT_TIMING;
  }
}

function masterReport(lease: LeaseView | undefined, wallMs: number, leaseTimeoutMs: number): MasterReport | null {
  if (!lease || lease.isReleased || !lease.holder) return null;
  const leaseAgeMs = lease.heartbeat ? Math.max(0, wallMs - lease.heartbeat.wallMs) : null;
  return { node: lease.holder.node, leaseGeneration: lease.generation, leaseAgeMs, isExpired: leaseAgeMs !== null && leaseAgeMs > leaseTimeoutMs };
}

function nodeReports(inputs: StatusInputs): NodeReport[] {
  const { lrmStatuses, fenced, wallMs } = inputs;
  const manager = inputs.manager?.status;
  const names = new Set<string>([...inputs.declaredNodes, ...Object.keys(manager?.nodeStatus ?? {}), ...lrmStatuses.keys(), ...fenced.keys()]);
  for (const group of Object.values(inputs.config?.groups ?? {})) for (const node of Object.keys(group.nodes)) names.add(node);
  return [...names].sort().map((node) => {
    const lrm = lrmStatuses.get(node);
    const state = manager?.nodeStatus[node] ?? null;
    const isInMaintenance = state === 'maintenance' || lrm?.mode === 'maintenance';
    const record = fenced.get(node);
    return {
      node,
      declared: inputs.declaredNodes.includes(node),
      state,
      lrmState: lrm?.state ?? null,
      lrmMode: lrm?.mode ?? null,
      heartbeatAgeMs: lrm ? Math.max(0, wallMs - lrm.timestampMs) : null,
      maintenance: isInMaintenance ? 'yes' : manager?.nodeRequest[node]?.maintenance ? 'requested' : 'no',
      fenced: record ? { ...record, ageMs: Math.max(0, wallMs - record.wallMs) } : null,
      fence: { attempt: manager?.fencing?.[node] ?? null, ackBy: manager?.fenceAcks?.[node]?.by ?? null, lastProof: manager?.lastFence?.[node] ?? null },
    };
  });
}

function serviceReports(manager: StatusInputs['manager'], lrmStatuses: ReadonlyMap<string, LrmStatus>, config: HaConfig | undefined): ServiceReport[] {
  const resources = config?.resources ?? {};
  const services = manager?.status.serviceStatus ?? ServiceTable.empty();
  const sids = [...new Set([...services.keys(), ...Object.keys(resources)])].sort();
  return sids.map((sid) => {
    const service = services.get(sid);
    const resource = resources[sid];
    const rawService = (manager?.raw.service_status as Record<string, Record<string, unknown>> | undefined)?.[sid];
    return {
      sid,
      state: service?.state ?? null,
      node: service?.node ?? resource?.node ?? null,
      target: service?.target ?? null,
      requestedState: resource?.state ?? null,
      error: service?.state === 'error' ? errorOf(sid, service, { rawService, lrmStatuses }) : null,
      lastFailure: service ? lastFailureOf(service, lrmStatuses) : null,
      waitsFor: service ? waitsForOf(service, manager?.status.disarm) : null,
      comment: resource?.comment ?? null,
    };
  });
}

/**
 * What the master waits for before it acts on a service (DESIGN.md "What proves a node fenced"): it
 * never starts a service elsewhere on a guess, so an operator sees here why one is not recovered yet.
 */
function waitsForOf(service: ServiceStatus, disarm: DisarmRequest | undefined): string | null {
  const node = service.node;
  if (service.state === 'fence' && service.isWaitingForNode) {
    return `${node} to report: its agent lease was free, which does not prove the service stopped there`;
  }
  if (service.state === 'fence') return `the fence of ${node}: its agent lease unchanged for fence_timeout, or free (then only if ${node}'s LRM knew the service)`;
  if (service.state === 'recovery' && service.target !== undefined) return `${service.target}, the target of its move (it may run there), to be online`;
  const isMoving = service.state === 'migrate' || service.state === 'relocate';
  if (disarm !== undefined && !isMoving) return `the HA stack to be armed (disarmed, mode ${disarm.mode}: 'ha-manager crm-command arm-ha')`;
  if (service.mayRunUnmanaged) return `${node}'s LRM to report on it (until then it may run there unknown to HA)`;
  return null;
}

/**
 * The master's record of the last failure; else a failure its node's LRM reports for the current
 * request that the master has not taken in yet (or a master from before `last_failure` did not record).
 */
function lastFailureOf(service: ServiceStatus, lrmStatuses: ReadonlyMap<string, LrmStatus>): string | null {
  if (service.lastFailure !== undefined) return service.lastFailure;
  const result = lrmStatuses.get(service.node)?.results.get(service.uid);
  return result !== undefined && result.result !== LrmResult.success && result.result !== LrmResult.ignored ? lrmFailureLine(service.node, result) : null;
}

function lrmFailureLine(node: string, result: LrmActionResult): string {
  const failed = `${result.request} on ${node} failed (${lrmResultName(result.result)})`;
  return result.reason !== undefined ? `${failed}: ${result.reason}` : failed;
}

/** Why a service is in the error state, as far as the status files tell, and the way out. */
function errorOf(
  sid: string,
  service: ServiceStatus,
  context: { rawService: Record<string, unknown> | undefined; lrmStatuses: ReadonlyMap<string, LrmStatus> },
): { reason: string; howToLeave: string } {
  const howToLeave = `fix the cause, then 'ha-manager set ${sid} --state disabled' and 'ha-manager set ${sid} --state started'`;
  const written = context.rawService?.reason ?? context.rawService?.error;
  if (typeof written === 'string' && written !== '') return { reason: written, howToLeave };
  const last = service.lastFailure !== undefined ? `; last failure: ${service.lastFailure}` : '';
  if (service.failedNodes?.length) return { reason: `start failed on ${service.failedNodes.join(', ')}${last}`, howToLeave };
  if (service.lastFailure !== undefined) return { reason: service.lastFailure, howToLeave };
  const failures: string[] = [];
  for (const [node, lrm] of context.lrmStatuses) {
    for (const result of lrm.results.values()) {
      if (result.sid === sid && result.result !== LrmResult.success) failures.push(lrmFailureLine(node, result));
    }
  }
  if (failures.length > 0) return { reason: failures.join(', '), howToLeave };
  return { reason: 'the master gave up on the service (no failed action is recorded any more)', howToLeave };
}
