import { compareNames } from '../../common/compare-names.ts';
import type { GroupConfig, NodeAffinityRule, ResourceConfig } from '../../common/ha-config.ts';

/** The id Proxmox VE 9 gives the node-affinity rule made from a group. */
export function groupRuleId(group: string): string {
  return `ha-group-${group}`;
}

/**
 * HA groups (groups.cfg, Proxmox VE ≤ 8) as the node-affinity rules Proxmox VE 9 reads them as, in
 * memory (README-5.2 §9.1): one rule per group that some service uses, naming those services, with
 * the group's nodes and priorities, strict when the group is restricted. A group no service uses, and
 * a service naming a group that does not exist, give nothing. Sorted by group name.
 */
export function groupsAsRules(resources: Readonly<Record<string, ResourceConfig>>, groups: Readonly<Record<string, GroupConfig>>): NodeAffinityRule[] {
  const members = new Map<string, string[]>();
  if (Object.keys(groups).length === 0) return [];
  for (const sid in resources) {
    const name = resources[sid]!.group;
    if (name === undefined || !Object.hasOwn(groups, name)) continue;
    const list = members.get(name);
    if (list) list.push(sid);
    else members.set(name, [sid]);
  }
  return [...members.keys()].sort(compareNames).map((name) => {
    const group = groups[name]!;
    return {
      type: 'node-affinity',
      id: groupRuleId(name),
      resources: members.get(name)!.sort(compareNames),
      nodes: group.nodes,
      strict: group.restricted,
      isDisabled: false,
      comment: `Generated from HA group '${name}'.`,
    };
  });
}

/**
 * Whether a service moves back to a better node on its own: its `failback` (default 1), or for a
 * service in a group, not the group's `nofailback` (1 when the group does not exist), every pass.
 */
export function failbackOf(resource: ResourceConfig | undefined, groups: Readonly<Record<string, GroupConfig>>): boolean {
  if (resource === undefined) return true;
  const name = resource.group;
  if (name === undefined) return resource.failback ?? true;
  return Object.hasOwn(groups, name) ? !groups[name]!.nofailback : true;
}
