import type { HaConfig } from '../env/env.ts';
import type { SharedPaths } from '../store/shared-dir.ts';
import { readLrmStatuses, readManagerStatus } from './status-files.ts';

/**
 * The nodes of the cluster as the shared directory knows them: those the master lists in
 * status/manager.json, those whose LRM has published status/lrm/<node>.json, and those named in a
 * group. A node that never ran ha-lrm and is in no group is unknown.
 */
export function knownNodes(paths: SharedPaths, config: HaConfig): string[] {
  const nodes = new Set<string>();
  const manager = readManagerStatus(paths);
  if (manager) for (const node of Object.keys(manager.status.nodeStatus)) nodes.add(node);
  for (const node of readLrmStatuses(paths).keys()) nodes.add(node);
  for (const group of Object.values(config.groups)) for (const node of Object.keys(group.nodes)) nodes.add(node);
  return [...nodes].sort();
}
