import { newServiceStatus, type DisarmRequest, type ManagerStatus, type PendingCommand, type ServiceStatus } from './manager-status.ts';
import { fencingToJson, parseFencingJson } from './fencing-json.ts';
import { ServiceTable } from './service-table.ts';
import { DISARM_MODES, DISARM_STATES, isOneOf, NODE_STATES, SERVICE_STATES, type NodeState } from './states.ts';

/** Manager status in the persisted JSON shape (Proxmox's field names), to our in-memory shape. */
export function parseManagerStatusJson(json: unknown, file: string): ManagerStatus {
  const fail = (problem: string): never => {
    throw new Error(`${file}: ${problem}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('Expected a JSON object');
  const root = json as Record<string, unknown>;
  const nodeStatus: Record<string, NodeState> = {};
  for (const [node, state] of Object.entries(asObject(root.node_status, fail))) {
    if (!isOneOf(NODE_STATES, state)) fail(`Node ${node} has unknown state '${String(state)}'`);
    nodeStatus[node] = state as NodeState;
  }
  const serviceStatus = ServiceTable.empty();
  for (const [sid, raw] of Object.entries(asObject(root.service_status, fail))) {
    serviceStatus.set(sid, parseService(sid, asObject(raw, fail), fail));
  }
  const nodeRequest: ManagerStatus['nodeRequest'] = {};
  for (const [node, raw] of Object.entries(asObject(root.node_request, fail))) {
    const request = asObject(raw, fail);
    nodeRequest[node] = request.maintenance ? { maintenance: true } : {};
  }
  const status: ManagerStatus = { nodeStatus, serviceStatus, nodeRequest };
  if (typeof root.master_node === 'string') status.masterNode = root.master_node;
  if (typeof root.timestamp === "number") status.timestampMs = root.timestamp;
  const version = root.version;
  if (Array.isArray(version) && version.length === 2 && version.every((part) => Number.isSafeInteger(part) && part >= 0)) {
    status.version = { lease: version[0] as number, round: version[1] as number };
  } else if (version !== undefined) {
    fail(`Bad version ${JSON.stringify(version)}, expected [lease generation, round]`);
  }
  if (root.disarm !== undefined && root.disarm !== null) {
    const { mode, state } = asObject(root.disarm, fail);
    if (!isOneOf(DISARM_MODES, mode)) fail(`Disarm request has unknown mode '${String(mode)}', expected ${DISARM_MODES.join(' or ')}`);
    if (!isOneOf(DISARM_STATES, state)) fail(`Disarm request has unknown state '${String(state)}', expected ${DISARM_STATES.join(' or ')}`);
    status.disarm = { mode: mode as DisarmRequest['mode'], state: state as DisarmRequest['state'] };
  }
  parseFencingJson(root, status, fail);
  return status;
}

function parseService(sid: string, raw: Record<string, unknown>, fail: (problem: string) => never): ServiceStatus {
  if (!isOneOf(SERVICE_STATES, raw.state)) fail(`Service ${sid} has unknown state '${String(raw.state)}'`);
  if (typeof raw.node !== 'string') fail(`Service ${sid} has no node`);
  const status = newServiceStatus(raw.state as ServiceStatus['state'], raw.node as string, String(raw.uid ?? ''));
  if (typeof raw.target === 'string') status.target = raw.target;
  if (raw.running) status.running = true;
  if (Array.isArray(raw.failed_nodes)) status.failedNodes = raw.failed_nodes.map(String);
  if (typeof raw.maintenance_node === 'string') status.maintenanceNode = raw.maintenance_node;
  if (raw.timeout !== undefined) status.timeoutS = Number(raw.timeout);
  if (raw.may_run_unmanaged) status.mayRunUnmanaged = true;
  if (raw.waiting_for_node) status.isWaitingForNode = true;
  if (typeof raw.last_failure === 'string') status.lastFailure = raw.last_failure;
  status.cmd = parseCommand(raw.cmd);
  return status;
}

function parseCommand(raw: unknown): PendingCommand | undefined {
  if (!Array.isArray(raw) || raw.length < 2) return undefined;
  const [kind, argument] = raw as [unknown, unknown];
  if ((kind === 'migrate' || kind === 'relocate') && typeof argument === 'string') return { kind, target: argument };
  if (kind === 'stop') return { kind, timeoutS: Number(argument) };
  return undefined;
}

function asObject(value: unknown, fail: (problem: string) => never): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return fail('Expected a JSON object');
  return value as Record<string, unknown>;
}

/** Our in-memory manager status to the persisted JSON shape (status/manager.json). */
export function managerStatusToJson(status: ManagerStatus): Record<string, unknown> {
  const serviceStatus: Record<string, unknown> = {};
  for (const sid of [...status.serviceStatus.keys()].sort()) {
    const service = status.serviceStatus.get(sid)!;
    const entry: Record<string, unknown> = { state: service.state, node: service.node, uid: service.uid };
    if (service.target !== undefined) entry.target = service.target;
    if (service.running) entry.running = 1;
    if (service.failedNodes) entry.failed_nodes = [...service.failedNodes];
    if (service.maintenanceNode !== undefined) entry.maintenance_node = service.maintenanceNode;
    if (service.timeoutS !== undefined) entry.timeout = service.timeoutS;
    if (service.mayRunUnmanaged) entry.may_run_unmanaged = 1;
    if (service.isWaitingForNode) entry.waiting_for_node = 1;
    if (service.lastFailure !== undefined) entry.last_failure = service.lastFailure;
    if (service.cmd) entry.cmd = service.cmd.kind === 'stop' ? ['stop', service.cmd.timeoutS] : [service.cmd.kind, service.cmd.target];
    serviceStatus[sid] = entry;
  }
  const nodeRequest: Record<string, unknown> = {};
  for (const [node, request] of Object.entries(status.nodeRequest)) nodeRequest[node] = request.maintenance ? { maintenance: 1 } : {};
  return {
    ...(status.masterNode !== undefined ? { master_node: status.masterNode } : {}),
    node_status: { ...status.nodeStatus },
    service_status: serviceStatus,
    node_request: nodeRequest,
    ...(status.timestampMs !== undefined ? { timestamp: status.timestampMs } : {}),
    ...(status.version !== undefined ? { version: [status.version.lease, status.version.round] } : {}),
    ...(status.disarm !== undefined ? { disarm: { mode: status.disarm.mode, state: status.disarm.state } } : {}),
    ...fencingToJson(status),
  };
}
