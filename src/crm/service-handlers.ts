import { assert } from '../common/assert.ts';
import { LrmResult } from '../common/lrm-result.ts';
import type { LrmActionResult } from '../common/lrm-status.ts';
import type { ServiceStatus } from '../common/manager-status.ts';
import { noteResult } from './last-failure.ts';
import type { ServiceContext } from './service-context.ts';
import { settleWrongNode } from './wrong-node.ts';

/**
 * State handlers for every service state but `started` (see started-handler.ts). Each looks at one
 * service once per pass of the manager loop and changes its state through `ctx.change`.
 */

export function handleRequestStart(ctx: ServiceContext, sid: string, status: ServiceStatus): void {
  if (ctx.rebalanceOnStart) {
    const best = ctx.selector.select({ sid, currentNode: status.node, mode: 'best', maintenanceFallback: status.maintenanceNode });
    if (best !== undefined && best !== status.node) {
      ctx.change(sid, status, 'request_start_balance', { target: best });
      return;
    }
  }
  ctx.change(sid, status, 'started');
}

/** `migrate`, `relocate` and `request_start_balance`: wait for the move's result on the source. */
export function handleMove(ctx: ServiceContext, sid: string, status: ServiceStatus, result: LrmActionResult | undefined): void {
  if (result) {
    const next = ctx.resource(sid).state === 'started' ? 'started' : 'request_stop';
    if (result.result === LrmResult.wrongNode) {
      // The move never started: its source does not hold the service (wrong-node.ts).
      const verdict = settleWrongNode(ctx, sid, status, result);
      if (verdict === 'stale') ctx.change(sid, status, next);
      if (verdict === 'unknown') ctx.change(sid, status, 'error');
      return;
    }
    noteResult(status, result);
    switch (result.result) {
      case LrmResult.success: {
        // Only the master records where a service is: the LRM reported the move, the master writes it.
        const target = status.target;
        assert(target !== undefined, `Move of ${sid} has no target`);
        const wasOnline = status.state === 'migrate';
        ctx.updateResource(sid, { node: target });
        ctx.change(sid, status, next, { node: target });
        // An online migration leaves it running on the target before that node's LRM knows of it.
        if (wasOnline) status.mayRunUnmanaged = true;
        return;
      }
      case LrmResult.ignored:
        ctx.change(sid, status, next);
        break;
      default:
        // The move failed: the service is still on its source node.
        ctx.change(sid, status, next);
        return;
    }
  }
  if (status.state !== 'fence' && ctx.isOfflineDelayed(status.node)) {
    // An online move may have reached its target before its source was lost: the fence keeps the
    // target, so that recovery looks there first (recoverFencedMove).
    ctx.change(sid, status, 'fence', status.state === 'migrate' && status.target !== undefined ? { target: status.target } : {});
  }
}

export function handleRequestStop(ctx: ServiceContext, sid: string, status: ServiceStatus, result: LrmActionResult | undefined): void {
  if (result) {
    if (result.result === LrmResult.wrongNode && settleWrongNode(ctx, sid, status, result) !== 'unknown') return;
    noteResult(status, result);
    ctx.change(sid, status, result.result === LrmResult.success ? 'stopped' : 'error');
    return;
  }
  if (ctx.isOfflineDelayed(status.node)) ctx.change(sid, status, 'fence');
}

export function handleStopped(ctx: ServiceContext, sid: string, status: ServiceStatus): void {
  const config = ctx.resource(sid);
  if (config.node !== undefined && status.node !== config.node) {
    // A move that was cut short by a fence left the service elsewhere than recorded.
    ctx.correctNode(sid, status, config.node);
  }
  const command = status.cmd;
  if (command) {
    status.cmd = undefined;
    if (command.kind === 'stop') {
      ctx.emit({ ev: 'log', level: 'info', msg: `ignore stop of ${sid}: service already stopped` });
    } else {
      // Checked again: the target may have gone, or the service moved, since the command was accepted.
      const verdict = ctx.checkCommand({ kind: command.kind, sid, node: command.target });
      if (verdict.result === 'accepted') {
        ctx.change(sid, status, command.kind, { target: command.target });
        return;
      }
      ctx.emit({ ev: 'log', level: verdict.result === 'error' ? 'err' : 'info', msg: `ignore ${command.kind} of ${sid}: ${verdict.reason}` });
    }
  }
  if (config.state === 'disabled') return; // the LRM keeps stopping it; never recovered
  if (ctx.isOfflineDelayed(status.node) && ctx.nodes.stateOf(status.node) !== 'maintenance') {
    ctx.change(sid, status, 'fence');
    return;
  }
  if (config.state === 'started') ctx.change(sid, status, 'request_start');
}

/**
 * `fence`: the fencing step decides (manager.ts), except for a service that a fence proof did not
 * cover and that waits for its node: once the node is online again, the service is back in its node's
 * hands (its LRM checks it, and from its first report on, a free lease of the node covers it).
 */
export function handleFence(ctx: ServiceContext, sid: string, status: ServiceStatus): void {
  if (!status.isWaitingForNode || !ctx.nodes.isOnline(status.node)) return;
  ctx.change(sid, status, ctx.resource(sid).state === 'started' ? 'started' : 'request_stop');
}

export function handleRecovery(ctx: ServiceContext, sid: string, status: ServiceStatus): void {
  if (status.target !== undefined) return recoverFencedMove(ctx, sid, status, status.target);
  const config = ctx.resource(sid);
  const fencedNode = status.node;
  // Best score, as Proxmox VE 9 recovers (README-5.2 §5): no staying on the fenced node, no failback shortcut.
  const node = ctx.selector.select({ sid, currentNode: fencedNode, mode: 'best', maintenanceFallback: status.maintenanceNode });
  if (node === undefined) {
    ctx.emit({ ev: 'recover-failed', sid, from: fencedNode });
    if (config.state === 'disabled') {
      status.failedNodes = undefined;
      status.lastFailure = undefined;
      ctx.change(sid, status, 'stopped');
    }
    return;
  }
  ctx.emit({ ev: 'recover', sid, from: fencedNode, to: node });
  ctx.updateResource(sid, { node });
  ctx.change(sid, status, config.state === 'started' ? 'started' : 'request_stop', { node });
}

/**
 * A service fenced during an online move may run on the move's target: it is recovered there, where
 * the target's LRM checks it and starts it if it does not run, and never elsewhere while the target
 * may run it (it waits for the target to be online). One leaving HA is recorded there and let go.
 */
function recoverFencedMove(ctx: ServiceContext, sid: string, status: ServiceStatus, target: string): void {
  const fencedNode = status.node;
  if (ctx.isLeaving(sid)) {
    if (ctx.resource(sid).state === 'ignored') ctx.updateResource(sid, { node: target });
    status.target = undefined; // settled: the manager releases it
    return;
  }
  if (!ctx.nodes.isOnline(target)) {
    ctx.emit({ ev: 'recover-failed', sid, from: fencedNode, reason: `it may run on ${target}, the target of its move, which is not online` });
    return;
  }
  ctx.emit({ ev: 'recover', sid, from: fencedNode, to: target });
  ctx.updateResource(sid, { node: target });
  ctx.change(sid, status, ctx.resource(sid).state === 'started' ? 'started' : 'request_stop', { node: target });
  status.mayRunUnmanaged = true;
}

export function handleFreeze(ctx: ServiceContext, sid: string, status: ServiceStatus): void {
  if (ctx.lrmMode(status.node) !== 'active') return;
  ctx.change(sid, status, ctx.resource(sid).state === 'started' ? 'started' : 'request_stop');
}

export function handleError(ctx: ServiceContext, sid: string, status: ServiceStatus): void {
  if (ctx.resource(sid).state !== 'disabled') return;
  status.failedNodes = undefined;
  status.lastFailure = undefined;
  ctx.change(sid, status, 'stopped');
}
