import type { GroupConfig, ResourceConfig } from '../common/ha-config.ts';
import { NodeSelector } from './select-node.ts';
import { NodeUsage, type Placement, type StaticSizing } from './node-usage.ts';

export interface NewServicesRequest {
  /** Services to place, in the order they are placed (each one's load counts for the next). */
  readonly sids: readonly string[];
  readonly resources: Readonly<Record<string, ResourceConfig>>;
  readonly groups: Readonly<Record<string, GroupConfig>>;
  readonly onlineNodes: readonly string[];
  readonly sizing: StaticSizing | undefined;
  /** Where the other services are: those the master manages, and those it adds with their node now. */
  readonly placements: Iterable<readonly [string, Placement]>;
}

/**
 * Nodes for services that the master has never had and whose config names no node (a resources.cfg
 * as Proxmox writes it, an `add` without --node): chosen as for any start that may pick its node — the
 * group's online members by priority, then the least loaded, ties by name. Each placed service to be
 * started counts as running where it was placed before the next is placed, so a file of new services
 * spreads out.
 * A service with no online candidate is absent from the result: it waits for one.
 */
export function placeNewServices(request: NewServicesRequest): Map<string, string> {
  const usage = new NodeUsage(request.onlineNodes, request.sizing);
  for (const [sid, placement] of request.placements) usage.add(sid, placement);
  const selector = new NodeSelector(usage, request.groups);
  const placed = new Map<string, string>();
  for (const sid of request.sids) {
    const node = selector.select({ sid, group: request.resources[sid]?.group, currentNode: '', mode: 'best' });
    if (node === undefined) continue;
    placed.set(sid, node);
    usage.add(sid, { state: request.resources[sid]?.state === 'started' ? 'started' : 'stopped', node });
  }
  return placed;
}
