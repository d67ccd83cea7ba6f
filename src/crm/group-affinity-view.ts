import { compareNames } from '../common/compare-names.ts';
import type { GroupConfig, ResourceConfig } from '../common/ha-config.ts';
import type { AffinityView } from './rules/affinity-view.ts';

const NO_NODES: ReadonlySet<string> = new Set();

/**
 * An AffinityView from today's HA groups, for auto-rebalancing until the compiled rules provide one:
 * a service's preferred nodes are the online members of its group's highest priority class (every
 * online node when it has no group, or its group does not exist, or no member is online and the group
 * is not restricted); groups know no separate nodes and no positive partners.
 */
export class GroupAffinityView implements AffinityView {
  private readonly preferredByGroup = new Map<string | undefined, readonly string[]>();

  constructor(
    private readonly onlineNodes: readonly string[],
    private readonly groups: Readonly<Record<string, GroupConfig>>,
    private readonly resources: Readonly<Record<string, ResourceConfig>>,
  ) {}

  preferredNodes(sid: string): readonly string[] {
    const name = this.resources[sid]?.group;
    const key = name !== undefined && this.groups[name] ? name : undefined;
    let nodes = this.preferredByGroup.get(key);
    if (nodes === undefined) {
      nodes = this.topClass(key === undefined ? undefined : this.groups[key]);
      this.preferredByGroup.set(key, nodes);
    }
    return nodes;
  }

  separateNodes(): ReadonlySet<string> {
    return NO_NODES;
  }

  positivePartners(): readonly string[] {
    return [];
  }

  private topClass(group: GroupConfig | undefined): readonly string[] {
    const online = [...this.onlineNodes].sort(compareNames);
    if (!group) return online;
    const members = online.filter((node) => group.nodes[node] !== undefined);
    if (members.length === 0) return group.restricted ? [] : online;
    const top = Math.max(...members.map((node) => group.nodes[node]!));
    return members.filter((node) => group.nodes[node] === top);
  }
}
