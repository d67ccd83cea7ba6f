import type { ManagerStatus, PendingCommand, ServiceStatus } from '../common/manager-status.ts';
import { isOneOf, NODE_STATES, SERVICE_STATES, type NodeState } from '../common/states.ts';

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
  const serviceStatus: Record<string, ServiceStatus> = {};
  for (const [sid, raw] of Object.entries(asObject(root.service_status, fail))) {
    serviceStatus[sid] = parseService(sid, asObject(raw, fail), fail);
  }
  const nodeRequest: ManagerStatus['nodeRequest'] = {};
  for (const [node, raw] of Object.entries(asObject(root.node_request, fail))) {
    const request = asObject(raw, fail);
    nodeRequest[node] = request.maintenance ? { maintenance: true } : {};
  }
  const status: ManagerStatus = { nodeStatus, serviceStatus, nodeRequest };
  if (typeof root.master_node === 'string') status.masterNode = root.master_node;
  return status;
}

function parseService(sid: string, raw: Record<string, unknown>, fail: (problem: string) => never): ServiceStatus {
  if (!isOneOf(SERVICE_STATES, raw.state)) fail(`Service ${sid} has unknown state '${String(raw.state)}'`);
  if (typeof raw.node !== 'string') fail(`Service ${sid} has no node`);
  const status: ServiceStatus = { state: raw.state as ServiceStatus['state'], node: raw.node as string, uid: String(raw.uid ?? '') };
  if (typeof raw.target === 'string') status.target = raw.target;
  if (raw.running) status.running = true;
  if (Array.isArray(raw.failed_nodes)) status.failedNodes = raw.failed_nodes.map(String);
  if (typeof raw.maintenance_node === 'string') status.maintenanceNode = raw.maintenance_node;
  if (raw.timeout !== undefined) status.timeoutS = Number(raw.timeout);
  const command = parseCommand(raw.cmd);
  if (command) status.cmd = command;
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
