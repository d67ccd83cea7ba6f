import type { LoadedConfig } from '../config/load-config.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { knownNodes } from './known-nodes.ts';
import { collectStatus } from './status-report.ts';
import { formatAge, textTable } from './text-table.ts';

/** One line of `ha-manager node list`. */
export interface NodeListing {
  readonly node: string;
  /** True for a `node:` section of ha.cfg; false for a node only seen (ha.cfg declares none, or not this one). */
  readonly declared: boolean;
  readonly cpus: number | null;
  readonly memoryMib: number | null;
  readonly comment: string | null;
  /** The master's view (status/manager.json), null when it does not list the node. */
  readonly masterState: string | null;
  readonly lrmState: string | null;
  /** Age of the node's agent lease heartbeat, null when it has none. */
  readonly agentLeaseAgeMs: number | null;
}

/** The declared nodes and the nodes the shared directory has seen, each with what is known of it. */
export function listNodes(store: ClusterStore, loaded: LoadedConfig): NodeListing[] {
  const report = collectStatus(store);
  const seen = knownNodes(store, { ...loaded, nodes: {} }).nodes;
  const names = [...new Set([...Object.keys(loaded.nodes), ...seen, ...report.nodes.map((node) => node.node)])].sort();
  return names.map((node) => {
    const declaration = Object.hasOwn(loaded.nodes, node) ? loaded.nodes[node] : undefined;
    const status = report.nodes.find((entry) => entry.node === node);
    const lease = report.leases.find((entry) => entry.name === `agent.${node}` && !entry.isReleased);
    return {
      node,
      declared: declaration !== undefined,
      cpus: declaration?.capacity?.cpus ?? null,
      memoryMib: declaration?.capacity ? declaration.capacity.memoryBytes / (1024 * 1024) : null,
      comment: declaration?.comment ?? null,
      masterState: status?.state ?? null,
      lrmState: status?.lrmState ?? null,
      agentLeaseAgeMs: lease?.ageMs ?? null,
    };
  });
}

export function renderNodeList(nodes: readonly NodeListing[]): string {
  if (nodes.length === 0) return "no nodes: declare them with 'ha-manager node add <name>'";
  const rows = nodes.map((node) => [
    node.node,
    node.declared ? 'yes' : 'no (seen)',
    node.cpus === null ? '-' : String(node.cpus),
    node.memoryMib === null ? '-' : `${node.memoryMib} MiB`,
    node.masterState ?? '-',
    node.lrmState ?? '-',
    formatAge(node.agentLeaseAgeMs),
    node.comment ?? '',
  ]);
  return textTable(['NODE', 'DECLARED', 'CPUS', 'MEMORY', 'MASTER', 'LRM', 'LEASE AGE', 'COMMENT'], rows);
}

/**
 * Why a node's LRM counts as alive, or undefined: its agent lease renewed within fence_timeout, or its
 * LRM status saying active and rewritten within fence_timeout. (A status that said active when its node
 * died stays in the file; going by the word alone, a dead node could never be removed.)
 */
export function liveLrmProblem(store: ClusterStore, loaded: LoadedConfig, node: string): string | undefined {
  const report = collectStatus(store);
  const fenceTimeoutMs = loaded.timing.leaseTimeoutMs;
  const lease = report.leases.find((entry) => entry.name === `agent.${node}` && !entry.isReleased && entry.holder === node);
  const status = report.nodes.find((entry) => entry.node === node);
  const stop = `stop ha-lrm and ha-crm on ${node} first (its services move away when it is in maintenance)`;
  if (lease?.ageMs != null && lease.ageMs <= fenceTimeoutMs) return `Node '${node}' is alive: its agent lease was renewed ${formatAge(lease.ageMs)} ago; ${stop}`;
  if (status?.lrmState === 'active' && status.heartbeatAgeMs !== null && status.heartbeatAgeMs <= fenceTimeoutMs) {
    return `Node '${node}' is alive: its LRM is active (status ${formatAge(status.heartbeatAgeMs)} old); ${stop}`;
  }
  return undefined;
}
