import { assert } from '../../common/assert.ts';
import type { GroupConfig, GroupMigrationRequest, ResourceConfig } from '../../common/ha-config.ts';
import type { LrmStatus } from '../../common/lrm-status.ts';
import type { ServiceStatus } from '../../common/manager-status.ts';
import { hasMinVersion } from '../../common/pve-version.ts';
import type { NodeState, ServiceState } from '../../common/states.ts';
import type { EmitEvent } from '../../common/trace.ts';
import { groupsAsRules } from './groups-as-rules.ts';

/** The first pve-manager version whose nodes read HA rules: groups are written out as rules only once every node has it. */
export const GROUP_MIGRATION_MIN_VERSION = '9.0.0~16';
/** A new master tries in its third pass: its view of the nodes and LRMs has settled by then. */
export const GROUP_MIGRATION_FIRST_PASSES = 3;
/** After an attempt that did not happen, the next comes this many passes later. */
export const GROUP_MIGRATION_RETRY_PASSES = 6;

export type { GroupMigrationRequest } from '../../common/ha-config.ts';

/** What an attempt looks at. */
export interface GroupMigrationView {
  readonly groups: Readonly<Record<string, GroupConfig>>;
  readonly resources: Readonly<Record<string, ResourceConfig>>;
  readonly isQuorate: boolean;
  /** The master's node table: every node it knows and its state. */
  readonly nodes: ReadonlyArray<readonly [string, NodeState]>;
  readonly lrmStatus: (node: string) => LrmStatus | undefined;
  readonly nodeVersion: (node: string) => string | undefined;
  readonly services: Iterable<readonly [string, ServiceStatus]>;
}

/** States in which a service does not keep its node's LRM active (README-5.2 §4.2). */
const INACTIVE_STATES: ReadonlySet<ServiceState> = new Set(['stopped', 'freeze', 'error', 'request_start']);

/**
 * The persistent migration of HA groups to rules (README-5.2 §9.2): while groups.cfg has a group, a
 * master tries in its third pass and every sixth after; the attempt goes ahead only when the cluster
 * is quorate and every node is online, its LRM settled (active, or idle with nothing to run) in mode
 * active, and runs a pve-manager version that reads rules. An event says how an attempt went, when
 * that differs from the previous attempt of this master (the reference logs every attempt).
 */
export class GroupMigration {
  private passesLeft = GROUP_MIGRATION_FIRST_PASSES;
  /** The reason the last attempt failed: a master that waits for the same thing says it once, not every sixth pass. */
  private lastProblem: string | undefined;

  /** One manager pass: the request to write when this pass's attempt may go ahead. */
  pass(view: GroupMigrationView, emit: EmitEvent): GroupMigrationRequest | undefined {
    if (Object.keys(view.groups).length === 0) return undefined;
    this.passesLeft--;
    if (this.passesLeft > 0) return undefined;
    this.passesLeft = GROUP_MIGRATION_RETRY_PASSES;
    const problem = migrationProblem(view);
    const isNews = problem !== this.lastProblem;
    this.lastProblem = problem;
    if (problem !== undefined) {
      if (isNews) emit({ ev: 'group-migration', result: 'failed', reason: problem });
      return undefined;
    }
    emit({ ev: 'group-migration', result: 'ok' });
    return groupMigrationRequest(view.resources, view.groups);
  }
}

function migrationProblem(view: GroupMigrationView): string | undefined {
  if (!view.isQuorate) return 'cluster is not quorate';
  const active = activeServiceNodes(view.services);
  for (const [node, state] of view.nodes) {
    if (state !== 'online') return `node '${node}' is not online (${state})`;
    const lrm = view.lrmStatus(node);
    if (lrm === undefined) return `node '${node}' has no LRM status`;
    const isSettled = lrm.state === 'active' || (lrm.state === 'wait_for_agent_lock' && !active.has(node));
    if (!isSettled) return `LRM of node '${node}' is in state '${lrm.state}'`;
    if (lrm.mode !== 'active') return `lrm '${node}' is not in mode 'active'`;
    const version = view.nodeVersion(node);
    if (version === undefined) return `node '${node}' reports no pve-manager version (ha-manager rules migrate-groups migrates by hand)`;
    if (!hasMinVersion(version, GROUP_MIGRATION_MIN_VERSION)) {
      return `node '${node}' needs at least pve-manager version '${GROUP_MIGRATION_MIN_VERSION}'`;
    }
  }
  return undefined;
}

/** Nodes with a service that keeps their LRM active: on it, or moving to it. */
function activeServiceNodes(services: Iterable<readonly [string, ServiceStatus]>): Set<string> {
  const nodes = new Set<string>();
  for (const [, status] of services) {
    if (INACTIVE_STATES.has(status.state)) continue;
    nodes.add(status.node);
    if (status.target !== undefined) nodes.add(status.target);
  }
  return nodes;
}

/** What migrating these groups writes: the master's request, and `ha-manager rules migrate-groups`'s. */
export function groupMigrationRequest(resourceConfigs: GroupMigrationView['resources'], groups: GroupMigrationView['groups']): GroupMigrationRequest {
  const rules = groupsAsRules(resourceConfigs, groups);
  const resources: Array<{ sid: string; isFailbackOff: boolean }> = [];
  for (const sid of Object.keys(resourceConfigs).sort()) {
    const name = resourceConfigs[sid]!.group;
    if (name === undefined) continue;
    resources.push({ sid, isFailbackOff: Object.hasOwn(groups, name) && groups[name]!.nofailback });
  }
  assert(rules.every((rule) => rule.resources.every((sid) => resources.some((entry) => entry.sid === sid))), 'Every migrated rule names grouped services');
  return { rules, resources };
}
