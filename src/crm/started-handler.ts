import { LrmResult } from '../common/lrm-result.ts';
import type { LrmActionResult } from '../common/lrm-status.ts';
import type { PendingCommand, ServiceStatus } from '../common/manager-status.ts';
import { movesOnline } from '../common/sid.ts';
import { noteResult } from './last-failure.ts';
import type { LrmResultLookup } from './lrm-result-index.ts';
import type { SelectMode } from './select-node.ts';
import type { ServiceContext } from './service-context.ts';
import { settleWrongNode } from './wrong-node.ts';

/**
 * `started`: the service should run on its node. Watches the node (fence it when lost, move away
 * from a node in maintenance), applies stop requests and pending commands, applies the relocate
 * policy to failed starts, and keeps the service on the node its group prefers.
 */
export function handleStarted(ctx: ServiceContext, sid: string, status: ServiceStatus, results: LrmResultLookup): void {
  if (!ctx.nodes.isOnline(status.node)) {
    if (ctx.isOfflineDelayed(status.node)) ctx.change(sid, status, 'fence');
    if (ctx.nodes.stateOf(status.node) !== 'maintenance') return;
    // Remember where it came from: it returns there when maintenance ends.
    status.maintenanceNode = status.node;
  }
  const config = ctx.resource(sid);
  if (config.state === 'disabled' || config.state === 'stopped') {
    ctx.change(sid, status, 'request_stop');
    return;
  }
  if (config.state !== 'started') return;
  if (status.cmd) {
    applyCommand(ctx, sid, status, status.cmd);
    return;
  }
  // Looked up only here: a service whose node is gone has no result to look for.
  const result = results.find(status);
  let mode: SelectMode = 'normal';
  if (result?.result === LrmResult.wrongNode && settleWrongNode(ctx, sid, status, result) !== 'unknown') return;
  if (result) {
    const verdict = applyStartResult(ctx, sid, status, result, config.maxRelocate);
    if (verdict === 'error') return;
    mode = verdict;
  }
  const isKept = mode === 'normal' && status.maintenanceNode === undefined && ctx.selector.keepsCurrent(sid, status.node);
  const node = isKept
    ? status.node
    : ctx.selector.select({ sid, currentNode: status.node, mode, failedNodes: status.failedNodes, maintenanceFallback: status.maintenanceNode });
  if (node !== undefined && node !== status.node) {
    dropStaleFallback(status, node);
    ctx.change(sid, status, movesOnline(sid) ? 'migrate' : 'relocate', { target: node });
    return;
  }
  if (mode === 'next' && node === undefined) {
    ctx.emit({ ev: 'policy', sid, kind: 'retry-current', detail: { failed_nodes: [...(status.failedNodes ?? [])] } });
  }
  if (status.maintenanceNode !== undefined && status.maintenanceNode === status.node && ctx.nodes.isOnline(status.node)) {
    status.maintenanceNode = undefined; // back home (or never left): nothing to return to
  }
  // A fresh request id makes the LRM check again that the service runs.
  if (result) ctx.renewUid(sid, status);
}

function applyCommand(ctx: ServiceContext, sid: string, status: ServiceStatus, command: PendingCommand): void {
  status.cmd = undefined;
  if (command.kind === 'stop') {
    ctx.change(sid, status, 'request_stop', { timeoutS: command.timeoutS });
    ctx.updateResource(sid, { state: 'stopped' });
    return;
  }
  // Checked again: the target may have gone, or the service moved, since the command was accepted.
  const verdict = ctx.checkCommand({ kind: command.kind, sid, node: command.target });
  if (verdict.result === 'accepted') ctx.change(sid, status, command.kind, { target: command.target });
  else ctx.emit({ ev: 'log', level: verdict.result === 'error' ? 'err' : 'info', msg: `ignore ${command.kind} of ${sid}: ${verdict.reason}` });
}

/** The relocate policy: returns how to pick the node next, or 'error' when the service gave up. */
function applyStartResult(
  ctx: ServiceContext,
  sid: string,
  status: ServiceStatus,
  result: LrmActionResult,
  maxRelocate: number,
): SelectMode | 'error' {
  noteResult(status, result);
  if (result.result === LrmResult.success) {
    if (status.failedNodes) {
      ctx.emit({ ev: 'policy', sid, kind: 'relocate-ok', detail: { node: status.node, failed_nodes: status.failedNodes } });
      status.failedNodes = undefined;
    }
    status.running = true;
    return 'normal';
  }
  status.running = false;
  const failedNodes = (status.failedNodes ??= []);
  failedNodes.push(status.node);
  const isRetryable = result.result === LrmResult.error || result.result === LrmResult.wrongNode;
  if (isRetryable && failedNodes.length <= maxRelocate) {
    ctx.emit({ ev: 'policy', sid, kind: 'relocate', detail: { failed_on: status.node, failed_nodes: [...failedNodes] } });
    return 'next';
  }
  ctx.emit({ ev: 'policy', sid, kind: 'error', detail: { failed_nodes: [...failedNodes], result: result.result } });
  ctx.change(sid, status, 'error');
  return 'error';
}

/** The maintenance fallback survives only moves back to it or away from it. */
function dropStaleFallback(status: ServiceStatus, destination: string): void {
  const fallback = status.maintenanceNode;
  if (fallback === undefined) return;
  if (destination === fallback || status.node !== fallback) status.maintenanceNode = undefined;
}
