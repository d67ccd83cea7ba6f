import { isValidNodeName } from '../common/node-name.ts';
import { checkGroupOption } from '../config/groups.ts';
import { ConfigRefused } from '../config/config-edit.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import type { ResourceChange } from '../config/resource-edit.ts';
import { restrictedGroupProblem } from '../crm/check-crm-command.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { knownNodes, refuseUnknownNodes } from './known-nodes.ts';

/**
 * `add` and `set`: a node given with --node must be a known node, and a change of node or group must
 * keep the resource inside its restricted group — the same rule `relocate` is refused by. A resource
 * without a node (the master places it) passes the group rule: the master places it inside.
 */
export function checkResourceNodes(store: ClusterStore, current: LoadedConfig, request: { sid: string; change: ResourceChange }): void {
  const { sid, change } = request;
  if (change.set.node === undefined && change.set.group === undefined) return;
  // A malformed name is left to the resource edit, whose message gives the naming rule.
  if (change.set.node !== undefined && !isValidNodeName(change.set.node)) return;
  if (change.set.node !== undefined) refuseUnknownNodes([change.set.node], knownNodes(store, current), '--node');
  const resource = Object.hasOwn(current.config.resources, sid) ? current.config.resources[sid] : undefined;
  const node = change.set.node ?? (change.delete.includes('node') ? undefined : resource?.node);
  const group = change.set.group ?? (change.delete.includes('group') ? undefined : resource?.group);
  if (node === undefined) return;
  const problem = restrictedGroupProblem({ sid, group, node }, current.config.groups);
  if (problem !== undefined) throw new ConfigRefused(`${problem}; give a node of the group with --node, or another group`);
}

/** `groupadd` and `groupset`: every node of --nodes must be a known node (a typo is refused). */
export function checkGroupNodes(store: ClusterStore, current: LoadedConfig, nodesOption: string | undefined): void {
  if (nodesOption === undefined) return;
  const parsed = checkGroupOption('nodes', nodesOption);
  if (!parsed.ok) return; // the group edit refuses it with its own message
  refuseUnknownNodes(Object.keys(parsed.value as Record<string, number>), knownNodes(store, current), '--nodes');
}
