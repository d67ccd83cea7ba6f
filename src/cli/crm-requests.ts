import { ConfigRefused } from '../config/config-edit.ts';
import { checkNodeName } from '../config/config-values.ts';
import { loadHaConfig } from '../config/load-config.ts';
import type { HaConfig } from '../env/env.ts';
import { enqueueCommand } from '../store/command-queue.ts';
import { sharedPaths } from '../store/shared-dir.ts';
import { UsageError } from './exit-codes.ts';
import { knownNodes } from './known-nodes.ts';
import { resolveSid } from './sid-arg.ts';

/** A stop waits at most a day for the service; a longer timeout is a typo, not a plan. */
export const STOP_TIMEOUT_S_MAX = 86_400;

/**
 * Requests for the master, checked here so that an operator hears at once what the master would
 * refuse, then queued in commands/. The master decides and acts; nothing here moves a service.
 */
export function requestMove(sharedDir: string, target: { kind: 'migrate' | 'relocate'; sid: string; node: string }): string {
  const { kind } = target;
  const { config } = loadHaConfig(sharedDir);
  const sid = configuredSid(config, target.sid);
  checkKnownNode(sharedDir, config, target.node);
  const resource = config.resources[sid]!;
  const group = resource.group === undefined ? undefined : config.groups[resource.group];
  if (group?.restricted && !Object.hasOwn(group.nodes, target.node)) {
    throw new ConfigRefused(
      `Node '${target.node}' is outside the restricted group '${resource.group}' of ${sid} (its nodes: ${Object.keys(group.nodes).join(', ')})`,
    );
  }
  return queue(sharedDir, `${kind} ${sid} ${target.node}`);
}

export function requestStop(sharedDir: string, request: { sid: string; timeout: string }): string {
  const { timeout } = request;
  const { config } = loadHaConfig(sharedDir);
  const sid = configuredSid(config, request.sid);
  if (!/^\d+$/.test(timeout) || Number(timeout) > STOP_TIMEOUT_S_MAX) {
    throw new UsageError(`Bad timeout '${timeout}', expected seconds from 0 to ${STOP_TIMEOUT_S_MAX}`);
  }
  return queue(sharedDir, `stop ${sid} ${Number(timeout)}`);
}

export function requestMaintenance(sharedDir: string, request: { action: 'enable' | 'disable'; node: string }): string {
  const { action, node } = request;
  const { config } = loadHaConfig(sharedDir);
  checkKnownNode(sharedDir, config, node);
  return queue(sharedDir, `${action}-node-maintenance ${node}`);
}

function configuredSid(config: HaConfig, argument: string): string {
  const sid = resolveSid(argument, { config });
  if (!Object.hasOwn(config.resources, sid)) throw new ConfigRefused(`Unknown resource ${sid}; 'ha-manager config' lists them`);
  return sid;
}

function checkKnownNode(sharedDir: string, config: HaConfig, node: string): void {
  const name = checkNodeName(node);
  if (!name.ok) throw new UsageError(name.problem);
  const nodes = knownNodes(sharedPaths(sharedDir), config);
  if (!nodes.includes(node)) {
    throw new ConfigRefused(`Unknown node '${node}': not a cluster node (known nodes: ${nodes.length ? nodes.join(', ') : 'none yet'})`);
  }
}

function queue(sharedDir: string, line: string): string {
  enqueueCommand(sharedDir, line);
  return line;
}
