import { ConfigRefused } from '../config/config-edit.ts';
import { loadHaConfig } from '../config/load-config.ts';
import { checkCrmCommand } from '../crm/check-crm-command.ts';
import { checkNode, checkStopTimeout, formatCrmCommand, type CrmCommand, type Parsed } from '../crm/crm-command.ts';
import type { HaConfig } from '../env/env.ts';
import { enqueueCommand } from '../store/command-queue.ts';
import { sharedPaths } from '../store/shared-dir.ts';
import { UsageError } from './exit-codes.ts';
import { knownNodes } from './known-nodes.ts';
import { resolveSid } from './sid-arg.ts';

export { STOP_TIMEOUT_S_MAX } from '../crm/crm-command.ts';

/**
 * Requests for the master, checked here by the master's own checker (src/crm/check-crm-command.ts)
 * with what the CLI knows — the configuration and the nodes its files name — so that an operator
 * hears at once what the master would refuse; then queued in commands/. The master decides and acts;
 * nothing here moves a service.
 */
export function requestMove(sharedDir: string, target: { kind: 'migrate' | 'relocate'; sid: string; node: string }): string {
  const { config } = loadHaConfig(sharedDir);
  const node = valid(checkNode(target.node));
  return queueChecked(sharedDir, config, { kind: target.kind, sid: resolveSid(target.sid, { config }), node });
}

export function requestStop(sharedDir: string, request: { sid: string; timeout: string }): string {
  const { config } = loadHaConfig(sharedDir);
  const timeoutS = valid(checkStopTimeout(request.timeout));
  return queueChecked(sharedDir, config, { kind: 'stop', sid: resolveSid(request.sid, { config }), timeoutS });
}

export function requestMaintenance(sharedDir: string, request: { action: 'enable' | 'disable'; node: string }): string {
  const { config } = loadHaConfig(sharedDir);
  const node = valid(checkNode(request.node));
  return queueChecked(sharedDir, config, { kind: `${request.action}-node-maintenance`, node });
}

/** A malformed argument is a usage error (exit 2, one line). */
function valid<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new UsageError(parsed.problem);
  return parsed.value;
}

function queueChecked(sharedDir: string, config: HaConfig, command: CrmCommand): string {
  const nodes = knownNodes(sharedPaths(sharedDir), config);
  const verdict = checkCrmCommand(command, { resources: config.resources, groups: config.groups, knownNodes: nodes });
  if (verdict.result !== 'accepted') throw new ConfigRefused(verdict.reason);
  const line = formatCrmCommand(command);
  enqueueCommand(sharedDir, line);
  return line;
}
