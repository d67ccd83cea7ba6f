import { ConfigRefused } from '../config/config-edit.ts';
import { loadHaConfig } from '../config/load-config.ts';
import type { HaConfig } from '../env/env.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import { checkCrmCommand } from '../crm/check-crm-command.ts';
import { checkNode, checkOperator, checkStopTimeout, formatCrmCommand, type CrmCommand, type Parsed } from '../crm/crm-command.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { unavailableError } from './cli-store.ts';
import { UsageError } from './exit-codes.ts';
import { knownNodes, refuseUnknownNodes, type KnownNodes } from './known-nodes.ts';
import { resolveSid } from './sid-arg.ts';
import { activeMaster } from './status-report.ts';
import { readManagerStatus } from './status-files.ts';
import type { DisarmMode } from '../common/states.ts';

export { STOP_TIMEOUT_S_MAX } from '../crm/crm-command.ts';

/** Said on stderr when a request is queued (or a requested state changed) while no master is active. */
export const NO_MASTER_WARNING = 'no master is active: the request is queued and runs when a master is elected';

/**
 * Requests for the master, checked here by the master's own checker (src/crm/check-crm-command.ts)
 * with what the CLI knows — the configuration and the known nodes — so that an operator
 * hears at once what the master would refuse; then queued in commands/. The master decides and acts;
 * nothing here moves a service. The CLI's commands and the web console (src/web/cluster-actions.ts)
 * call these same functions; each caller tells its user when no master is active (NO_MASTER_WARNING).
 */
export function requestMove(store: ClusterStore, target: { kind: 'migrate' | 'relocate'; sid: string; node: string }): string {
  return queue(store, checkedMove(requestContextOf(store), target));
}

export function requestStop(store: ClusterStore, request: { sid: string; timeout: string }): string {
  return queue(store, checkedStop(requestContextOf(store), request));
}

export function requestMaintenance(store: ClusterStore, request: { action: 'enable' | 'disable'; node: string }): string {
  return queue(store, checkedMaintenance(requestContextOf(store), request));
}

export function requestDisarm(store: ClusterStore, request: { mode: DisarmMode } | 'arm'): { line: string; note: string | undefined } {
  const { command, note } = checkedDisarm(requestContextOf(store), request);
  return { line: queue(store, command), note };
}

export function requestFenceAck(store: ClusterStore, request: { node: string; by: string }): string {
  return queue(store, checkedFenceAck(requestContextOf(store), request));
}

/**
 * What the CLI knows when it checks a request: the configuration, the known nodes and the master's
 * last saved status (read only by the checks that need it). A cluster's store gives it here; the
 * simulator in the browser gives its own (src/web/sim-source.ts), so both refuse alike.
 */
export interface RequestContext {
  readonly config: HaConfig;
  readonly known: KnownNodes;
  readonly savedStatus: () => ManagerStatus | undefined;
}

export function requestContextOf(store: ClusterStore): RequestContext {
  const loaded = loadHaConfig(store);
  return { config: loaded.config, known: knownNodes(store, loaded), savedStatus: () => readManagerStatus(store)?.status };
}

export function checkedMove(context: RequestContext, target: { kind: 'migrate' | 'relocate'; sid: string; node: string }): CrmCommand {
  const node = valid(checkNode(target.node));
  return checked(context, { kind: target.kind, sid: resolveSid(target.sid, { config: context.config }), node });
}

export function checkedStop(context: RequestContext, request: { sid: string; timeout: string }): CrmCommand {
  const timeoutS = valid(checkStopTimeout(request.timeout));
  return checked(context, { kind: 'stop', sid: resolveSid(request.sid, { config: context.config }), timeoutS });
}

export function checkedMaintenance(context: RequestContext, request: { action: 'enable' | 'disable'; node: string }): CrmCommand {
  const node = valid(checkNode(request.node));
  return checked(context, { kind: `${request.action}-node-maintenance`, node });
}

/**
 * `disarm-ha <mode>` / `arm-ha`: the whole HA stack. The master ignores a second disarm and an arm
 * without a disarm; the CLI says so when the master's last status shows it will, and queues anyway
 * (that status may be a round old).
 */
export function checkedDisarm(context: RequestContext, request: { mode: DisarmMode } | 'arm'): { command: CrmCommand; note: string | undefined } {
  const command = checked(context, request === 'arm' ? { kind: 'arm-ha' } : { kind: 'disarm-ha', mode: request.mode });
  const saved = context.savedStatus()?.disarm;
  if (request === 'arm') return { command, note: saved === undefined ? 'the master last reported the HA stack armed: it will ignore this' : undefined };
  return { command, note: saved === undefined ? undefined : `the HA stack is already ${saved.state} (${saved.mode}): the master will ignore this` };
}

/**
 * `fence-ack <node>`: the operator confirms a lost node is down ("confirm host has been rebooted"), a
 * proof the master recovers its services on at once. Refused here when the master's last status shows
 * the node online or in maintenance; the master refuses it too while the node's LRM still reports.
 */
/** What an operator must know after confirming `node` down: told by the CLI and both web consoles. */
export function fenceAckNote(node: string): string {
  return `the master now treats ${node} as fenced and starts its services elsewhere; if it still runs them, they run twice`;
}

export function checkedFenceAck(context: RequestContext, request: { node: string; by: string }): CrmCommand {
  const node = valid(checkNode(request.node));
  const state = context.savedStatus()?.nodeStatus[node];
  if (state === 'online' || state === 'maintenance') {
    throw new ConfigRefused(`Node ${node} is ${state} in the master's last status: a confirmation is only for a node that is lost (down, unreachable)`);
  }
  return checked(context, { kind: 'fence-ack', node, by: valid(checkOperator(request.by)) });
}

/** Writes the no-master warning to stderr when no master holds a fresh manager lease. */
export function warnWithoutMaster(store: ClusterStore): void {
  if (activeMaster(store) === null) process.stderr.write(`ha-manager: warning: ${NO_MASTER_WARNING}\n`);
}

/** A malformed argument is a usage error (exit 2, one line). */
function valid<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new UsageError(parsed.problem);
  return parsed.value;
}

/** The master's own checker with what the CLI knows; a refusal is the CLI's (exit 2, nothing queued). */
function checked(context: RequestContext, command: CrmCommand): CrmCommand {
  const { config, known } = context;
  if ('node' in command) refuseUnknownNodes([command.node], known);
  const verdict = checkCrmCommand(command, { resources: config.resources, groups: config.groups, rules: config.rules, knownNodes: known.nodes });
  if (verdict.result !== 'accepted') throw new ConfigRefused(verdict.reason);
  return command;
}

function queue(store: ClusterStore, command: CrmCommand): string {
  const line = formatCrmCommand(command);
  const queued = store.commands.enqueue(line);
  if (queued.kind === 'unavailable') throw unavailableError(store, queued, `Request not queued (${line})`);
  return line;
}
