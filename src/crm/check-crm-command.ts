/**
 * What a CRM command may do, decided in one place: the master calls this when it takes a command from
 * the queue and again when a service's handler consumes a pending one; `ha-manager` calls it before it
 * queues one, so that an operator hears at once what the master would refuse. Each checker passes
 * what it knows; a rule whose knowledge is missing is not applied (the CLI does not know which nodes
 * are online now, the master does).
 */
import type { GroupConfig, ResourceConfig, RuleConfig } from '../common/ha-config.ts';
import type { DisarmRequest, ServiceStatus } from '../common/manager-status.ts';
import type { NodeState } from '../common/states.ts';
import type { CrmCommand } from './crm-command.ts';
import { compileRules } from './rules/compile-rules.ts';

export interface CommandKnowledge {
  /** resources.cfg as the checker read it. */
  readonly resources: Readonly<Record<string, ResourceConfig>>;
  readonly groups: Readonly<Record<string, GroupConfig>>;
  /** rules.cfg, when the CLI checks: a move out of a strict node-affinity rule is refused like one out of a restricted group. */
  readonly rules?: readonly RuleConfig[];
  /** The cluster's nodes as the checker knows them (the master: its node table; the CLI: status files and groups). */
  readonly knownNodes: readonly string[];
  /** The master's view, only when the master checks: the services it manages and its node states. */
  readonly master?: {
    service(sid: string): ServiceStatus | undefined;
    nodeState(node: string): NodeState | undefined;
    /** The disarm request in force, if any. */
    disarm(): DisarmRequest | undefined;
    /** True while the node counts as a member: its LRM visibly alive (its status keeps changing). */
    isMember(node: string): boolean;
  };
}

/** The verdict on a command; the reason is one line for the operator or the trace. */
export type CommandVerdict = { readonly result: 'accepted'; readonly reason?: string } | { readonly result: 'error' | 'ignored'; readonly reason: string };

const ACCEPTED: CommandVerdict = { result: 'accepted' };

export function checkCrmCommand(command: CrmCommand, knowing: CommandKnowledge): CommandVerdict {
  switch (command.kind) {
    case 'migrate':
    case 'relocate':
      return serviceProblem(command.sid, knowing) ?? nodeProblem(command.node, knowing) ?? moveProblem(command, knowing) ?? ACCEPTED;
    case 'stop':
      return serviceProblem(command.sid, knowing) ?? ACCEPTED;
    case 'enable-node-maintenance':
      return nodeProblem(command.node, knowing) ?? maintenanceProblem(command.node, knowing) ?? ACCEPTED;
    case 'disarm-ha': {
      // A second request would change the mode under services already held the first way.
      const request = knowing.master?.disarm();
      return request ? { result: 'ignored', reason: `already in disarm state (${request.state})` } : ACCEPTED;
    }
    case 'arm-ha':
      return !knowing.master || knowing.master.disarm() ? ACCEPTED : { result: 'ignored', reason: 'HA stack is not disarmed' };
    case 'fence-ack':
      return nodeProblem(command.node, knowing) ?? fenceAckProblem(command.node, knowing) ?? ACCEPTED;
    case 'disable-node-maintenance': {
      const problem = nodeProblem(command.node, knowing);
      if (problem) return problem;
      if (!knowing.master) return ACCEPTED;
      // Accepted whatever the state: a request left over from before a power cycle must be deletable.
      const state = knowing.master.nodeState(command.node);
      return state === 'maintenance' ? ACCEPTED : { result: 'accepted', reason: `${command.node} was ${state ?? 'unknown to the master'}` };
    }
  }
}

function serviceProblem(sid: string, knowing: CommandKnowledge): CommandVerdict | undefined {
  const resource = Object.hasOwn(knowing.resources, sid) ? knowing.resources[sid] : undefined;
  if (knowing.master) {
    // The master reads its own record: a service it does not manage (yet, or any more) is unknown to it.
    return knowing.master.service(sid) ? undefined : { result: 'error', reason: `No such service ${sid}: the master does not manage it` };
  }
  if (!resource) return { result: 'error', reason: `Unknown resource ${sid}; 'ha-manager config' lists them` };
  if (resource.state === 'ignored') return { result: 'error', reason: `Resource ${sid} is ignored: the master does not manage it (set its state first)` };
  return undefined;
}

/** The CLI's rule: a node it cannot find in the cluster's files is a typo. The master checks states instead. */
function nodeProblem(node: string, knowing: CommandKnowledge): CommandVerdict | undefined {
  if (knowing.master || knowing.knownNodes.includes(node)) return undefined;
  const known = knowing.knownNodes.length > 0 ? knowing.knownNodes.join(', ') : 'none yet';
  return { result: 'error', reason: `Unknown node '${node}': not a cluster node (known nodes: ${known})` };
}

function moveProblem(command: Extract<CrmCommand, { kind: 'migrate' | 'relocate' }>, knowing: CommandKnowledge): CommandVerdict | undefined {
  const { sid, node } = command;
  if (knowing.master) {
    const state = knowing.master.nodeState(node);
    if (state !== 'online') return { result: 'error', reason: `Node ${node} is not online (${state ?? 'unknown to the master'})` };
    if (knowing.master.service(sid)?.node === node) return { result: 'ignored', reason: `${sid} is already on ${node}` };
    return undefined;
  }
  // Only the operator is stopped here: the master accepts a move out of a restricted group, as
  // Proxmox does, and the service's group takes it straight back (pve-5.2 test-node-affinity-strict1).
  const reason = restrictedGroupProblem({ sid, group: knowing.resources[sid]?.group, node }, knowing.groups) ?? strictRuleProblem({ sid, node }, knowing);
  return reason === undefined ? undefined : { result: 'error', reason };
}

/** The operator's rule for strict node affinity: the rule the master would apply (compiled, so a disabled or dropped one does not count). */
function strictRuleProblem(placement: { readonly sid: string; readonly node: string }, knowing: CommandKnowledge): string | undefined {
  if (knowing.rules === undefined || knowing.rules.length === 0) return undefined;
  const rule = compileRules(knowing.rules, knowing.knownNodes).nodeAffinity.get(placement.sid);
  if (!rule?.strict || rule.nodes.has(placement.node)) return undefined;
  return `Node '${placement.node}' is outside the strict node-affinity rule '${rule.ruleId}' of ${placement.sid} (its nodes: ${[...rule.nodes.keys()].join(', ')})`;
}

/**
 * The operator's rule for a service and a node it is to run on (`relocate`, `migrate`, `add --node`,
 * `set --node`, `set --group`): a node outside the service's restricted group is refused, since the
 * master would only move the service straight back into the group.
 */
export function restrictedGroupProblem(
  placement: { readonly sid: string; readonly group: string | undefined; readonly node: string },
  groups: Readonly<Record<string, GroupConfig>>,
): string | undefined {
  const { sid, group: name, node } = placement;
  const group = name === undefined || !Object.hasOwn(groups, name) ? undefined : groups[name];
  if (!group?.restricted || Object.hasOwn(group.nodes, node)) return undefined;
  return `Node '${node}' is outside the restricted group '${name}' of ${sid} (its nodes: ${Object.keys(group.nodes).join(', ')})`;
}

/**
 * An operator's confirmation is a proof the master acts on at once, so it is refused while the master
 * can see the node is not down: online, in maintenance, or its LRM still reporting.
 */
function fenceAckProblem(node: string, knowing: CommandKnowledge): CommandVerdict | undefined {
  if (!knowing.master) return undefined;
  if (knowing.master.disarm()) return { result: 'ignored', reason: 'disarmed: nothing is fenced or recovered' };
  const state = knowing.master.nodeState(node);
  if (state === undefined) return { result: 'error', reason: `Node ${node} is unknown to the master` };
  if (state === 'online' || state === 'maintenance' || knowing.master.isMember(node)) {
    return { result: 'error', reason: `Node ${node} is not down: its LRM is visibly alive (${state}); a confirmation is only for a node that is lost` };
  }
  return undefined;
}

function maintenanceProblem(node: string, knowing: CommandKnowledge): CommandVerdict | undefined {
  if (!knowing.master) return undefined;
  // Nothing is moved while disarmed: a maintenance request would be a promise the master cannot keep.
  if (knowing.master.disarm()) return { result: 'ignored', reason: 'disarmed' };
  const state = knowing.master.nodeState(node);
  if (state === 'maintenance') return { result: 'ignored', reason: `${node} is already in maintenance` };
  if (state !== 'online') return { result: 'error', reason: `Node ${node} is not online (${state ?? 'unknown to the master'})` };
  return undefined;
}
