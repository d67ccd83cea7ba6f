import type { ResourceConfig } from '../common/ha-config.ts';
import { NodeSelector } from './select-node.ts';
import { NodeUsage, type Placement, type StaticSizing } from './node-usage.ts';
import type { CompiledRules } from './rules/compile-rules.ts';
import { ServiceAffinity } from './rules/service-affinity.ts';

export interface NewServicesRequest {
  /** Services the master adds this round, in the order they are added (each one's load counts for the next). */
  readonly added: readonly string[];
  readonly resources: Readonly<Record<string, ResourceConfig>>;
  /** The rules in force: node affinity and the partners already placed. */
  readonly rules: CompiledRules;
  readonly onlineNodes: readonly string[];
  readonly sizing: StaticSizing | undefined;
  /** Where the services the master manages already are. */
  readonly managed: Iterable<readonly [string, Placement]> & { get(sid: string): Placement | undefined };
}

/**
 * Nodes for the added services whose config names no node (a resources.cfg as Proxmox writes it, an
 * `add` without --node): chosen as for any start that may pick its node — by the rules (select-node.ts),
 * then the least loaded, ties by name. The load counted is that of the managed services,
 * of the added ones that name their node, and of each placed one before the next is placed, so a file
 * of new services spreads out. One with no online candidate is absent from the result: it waits.
 */
export function placeNewServices(request: NewServicesRequest): Map<string, string> {
  const { added, resources } = request;
  const placed = new Map<string, string>();
  const unplaced = added.filter((sid) => resources[sid]!.node === undefined);
  if (unplaced.length === 0) return placed;
  const usage = new NodeUsage(request.onlineNodes, request.sizing);
  const placementOf = (sid: string, node: string): Placement => ({ state: resources[sid]!.state === 'started' ? 'started' : 'stopped', node });
  for (const [sid, placement] of request.managed) usage.add(sid, placement);
  for (const sid of added) {
    const node = resources[sid]!.node;
    if (node !== undefined) usage.add(sid, placementOf(sid, node));
  }
  // Partners placed in this call count like managed ones, so a positive group lands together.
  const isAdded = new Set(added);
  const placedAt = (sid: string): Placement | undefined => {
    const node = isAdded.has(sid) ? (placed.get(sid) ?? resources[sid]!.node) : undefined;
    return node === undefined ? request.managed.get(sid) : placementOf(sid, node);
  };
  const affinity = new ServiceAffinity(request.rules, request.onlineNodes, placedAt);
  const selector = new NodeSelector(usage, affinity, () => true);
  for (const sid of unplaced) {
    const node = selector.select({ sid, currentNode: '', mode: 'best' });
    if (node === undefined) continue;
    placed.set(sid, node);
    usage.add(sid, placementOf(sid, node));
  }
  return placed;
}
