import type { LoadedConfig } from '../config/load-config.ts';
import { ConfigRefused } from '../config/config-edit.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { readLrmStatuses, readManagerStatus } from './status-files.ts';

/** The cluster's nodes and where the list comes from. */
export interface KnownNodes {
  readonly nodes: readonly string[];
  /**
   * declared: the `node:` sections of ha.cfg (`ha-manager node add`), the list an operator keeps.
   * seen: ha.cfg declares none (a directory from before node sections), so the nodes the shared
   * directory has seen stand in: those in status/manager.json, those with status/lrm/<node>.json,
   * those named in a group or a node-affinity rule.
   */
  readonly source: 'declared' | 'seen';
}

/** The known nodes of a cluster's store: declared in ha.cfg, else seen (docs/cli.md "Known nodes"). */
export function knownNodes(store: ClusterStore, loaded: LoadedConfig): KnownNodes {
  const declared = Object.keys(loaded.nodes);
  if (declared.length > 0) return { nodes: declared.sort(), source: 'declared' };
  const nodes = new Set<string>();
  const manager = readManagerStatus(store);
  if (manager) for (const node of Object.keys(manager.status.nodeStatus)) nodes.add(node);
  for (const node of readLrmStatuses(store).keys()) nodes.add(node);
  for (const group of Object.values(loaded.config.groups)) for (const node of Object.keys(group.nodes)) nodes.add(node);
  for (const rule of loaded.config.rules) if (rule.type === 'node-affinity') for (const node of Object.keys(rule.nodes)) nodes.add(node);
  return { nodes: [...nodes].sort(), source: 'seen' };
}

/** The one sentence for a node that is not known, or undefined when it is; `what` names the option, if any. */
export function unknownNodeProblem(node: string, known: KnownNodes, what?: string): string | undefined {
  if (known.nodes.includes(node)) return undefined;
  const list = known.nodes.length > 0 ? known.nodes.join(', ') : 'none';
  const prefix = what === undefined ? '' : `${what}: `;
  if (known.source === 'declared') {
    return `${prefix}Unknown node '${node}': ha.cfg declares ${list}; a new node is declared with 'ha-manager node add ${node}'`;
  }
  return `${prefix}Unknown node '${node}': ha.cfg declares no node, so the known nodes are those seen in the status files and groups: ${list}; declare the cluster's nodes with 'ha-manager node add <name>'`;
}

/** Refuses (exit 2, nothing written) the first of `nodes` that is not known. */
export function refuseUnknownNodes(nodes: Iterable<string>, known: KnownNodes, what?: string): void {
  for (const node of nodes) {
    const problem = unknownNodeProblem(node, known, what);
    if (problem !== undefined) throw new ConfigRefused(problem);
  }
}
