import type { HaConfig, Membership } from './env.ts';
import type { StatusStore } from '../store/status-store.ts';

/**
 * Cluster membership over a shared directory, where there is no corosync to ask:
 * - the membership list is every node the shared directory names: LRM status files, the master's node
 *   table, group members, the nodes resources are configured on, and this node;
 * - this node is a member, and quorate, while it can reach the shared directory (the store is the
 *   arbiter of every lease, so a node that can reach it is in "the" partition);
 * - another node is a member while its LRM status changes: its LRM rewrites the file every round, and
 *   this node (on its own monotonic clock) has seen the file change within `silenceMsMax`. A node first
 *   looked at counts as a member until it has been silent that long, so a daemon that just started
 *   does not declare every other node lost.
 *
 * Only the master's decisions (online / unknown, hence the fence delay) depend on other nodes'
 * membership; safety never does, since recovery waits for the lost node's agent lease.
 */
export class NodeMembership {
  private readonly seen = new Map<string, { timestampMs: number; changedMs: number }>();

  constructor(
    private readonly node: string,
    private readonly statusStore: StatusStore,
    private readonly silenceMsMax: number,
  ) {}

  /** The membership now; `isReachable` is whether this node reached the shared directory this round. */
  sample(nowMs: number, config: HaConfig, isReachable: boolean): Membership {
    const nodes = new Set<string>([this.node]);
    for (const group of Object.values(config.groups)) for (const node of Object.keys(group.nodes)) nodes.add(node);
    for (const resource of Object.values(config.resources)) if (resource.node !== undefined) nodes.add(resource.node);
    const members = new Set<string>();
    if (isReachable) {
      members.add(this.node);
      this.sampleOthers(nowMs, nodes, members);
    }
    const sorted = [...nodes].sort();
    return { isQuorate: isReachable, nodes: sorted, isMember: (node) => members.has(node) };
  }

  private sampleOthers(nowMs: number, nodes: Set<string>, members: Set<string>): void {
    const listed = this.statusStore.listLrmStatusNodes();
    if (Array.isArray(listed)) for (const node of listed) nodes.add(node);
    const manager = this.statusStore.readManagerStatus();
    if (manager.kind === 'ok') for (const node of Object.keys(manager.value.nodeStatus)) nodes.add(node);
    for (const node of nodes) {
      if (node === this.node) continue;
      const status = this.statusStore.readLrmStatus(node);
      const timestampMs = status.kind === 'ok' ? status.value.timestampMs : -1;
      const previous = this.seen.get(node);
      if (previous === undefined || previous.timestampMs !== timestampMs) this.seen.set(node, { timestampMs, changedMs: nowMs });
      const changedMs = this.seen.get(node)!.changedMs;
      if (timestampMs >= 0 && nowMs - changedMs <= this.silenceMsMax) members.add(node);
    }
  }
}
