import type { ServiceLoad } from '../common/lrm-status.ts';
import type { ServiceStatus } from '../common/manager-status.ts';
import type { NodeUsage } from './node-usage.ts';
import type { MigrationCandidate } from './rebalance-select.ts';
import type { AffinityView } from './rules/affinity-view.ts';

export interface CandidatesInput {
  /** Managed services in sid order. */
  readonly entries: ReadonlyArray<readonly [string, ServiceStatus]>;
  readonly service: (sid: string) => ServiceStatus | undefined;
  readonly affinity: AffinityView;
  readonly usage: NodeUsage;
}

export type CandidatesResult = { readonly ok: true; readonly candidates: MigrationCandidate[] } | { readonly ok: false; readonly problem: string };

/**
 * The bundles auto-rebalancing may move and where (README-5.2 §7.4 step 2): each `started` service
 * with its `started` positive partners, all on one node and none of the partners moving, led by its
 * smallest sid; targets are the leader's preferred nodes less its separate nodes and its own node.
 * Bundles with no target are left out. Then every member of a remaining bundle must be in the sized
 * usage (sized, on an online node), or nothing is scored this round, as the reference's validation does.
 */
export function migrationCandidates(input: CandidatesInput): CandidatesResult {
  const candidates: MigrationCandidate[] = [];
  for (const [sid, status] of input.entries) {
    if (status.state !== 'started') continue;
    const members = bundleLedBy(sid, status, input);
    if (members === undefined) continue;
    const separate = input.affinity.separateNodes(sid);
    const preferred = input.affinity.preferredNodes(sid);
    if (!preferred.some((node) => node !== status.node && !separate.has(node))) continue;
    let cpu = 0;
    let memBytes = 0;
    for (const member of members) {
      if (!input.usage.holds(member)) return { ok: false, problem: `service '${member}' of the bundle led by '${sid}' is not in the node usage (no size, or its node is not online)` };
      const load: ServiceLoad = input.usage.moveLoad(member);
      cpu += load.cpu;
      memBytes += load.memBytes;
    }
    candidates.push({ leader: sid, source: status.node, preferred, excluded: separate, load: { cpu, memBytes } });
  }
  return { ok: true, candidates };
}

/** The members of the bundle `sid` leads, itself first; undefined when it leads none (a partner leads, or the bundle cannot move). */
function bundleLedBy(sid: string, status: ServiceStatus, input: CandidatesInput): string[] | undefined {
  const partners = input.affinity.positivePartners(sid);
  if (partners.length === 0) return [sid];
  const members = [sid];
  for (const partner of partners) {
    const other = input.service(partner);
    if (other === undefined) continue;
    if (other.state === 'migrate' || other.state === 'relocate') return undefined;
    if (other.state !== 'started') continue;
    // Smallest sid leads: a started partner before `sid` builds this bundle itself.
    if (partner < sid) return undefined;
    if (other.node !== status.node) return undefined;
    members.push(partner);
  }
  return members;
}
