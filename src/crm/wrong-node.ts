import { assert } from '../common/assert.ts';
import { LrmResult } from '../common/lrm-result.ts';
import type { LrmActionResult } from '../common/lrm-status.ts';
import type { ServiceStatus } from '../common/manager-status.ts';
import type { ServiceContext } from './service-context.ts';

/**
 * What a `wrong node` answer tells the master: the LRM of the node the status names refused the
 * request because resources.cfg names another node, and looked whether the service runs on its own.
 *
 * - `stale`: not running there. The status is older than resources.cfg: a master recorded a recovery
 *   or a finished move in resources.cfg (written first, so that the new node's LRM finds the service)
 *   and lost its lease before its status write landed, and its successor reads the older status.
 *   The service is taken to the configured node (`takeConfiguredNode`).
 * - `conflict`: running there although configured elsewhere (resources.cfg edited by hand while it
 *   ran). No LRM will act on it where it runs, and starting it on the configured node would run it
 *   twice: the service goes to `error` for the operator.
 * - `unknown`: the LRM could not look (or predates the look): the handler's own policy decides.
 */
export type WrongNodeVerdict = 'stale' | 'conflict' | 'unknown';

/**
 * Takes the node resources.cfg names, keeping the state (a move's caller then ends the move). Safe
 * because resources.cfg's node never leaves a node that may still run the service: the master writes
 * it only after a finished move or a fence proof, and no LRM starts a service that resources.cfg
 * places elsewhere, so the reporting node, which found it not running, will not start it either. The
 * service may already run on the configured node (an online migration whose status was lost): until
 * that node's LRM reports on it, it counts as possibly running there unmanaged (fence-proofs.ts).
 */
function takeConfiguredNode(ctx: ServiceContext, sid: string, status: ServiceStatus, node: string): void {
  ctx.correctNode(sid, status, node, 'wrong-node');
  status.mayRunUnmanaged = true;
}

/**
 * The `started`, `request_stop` and move handlers' common answer to a `wrong node` result: a stale
 * record is taken to the configured node, a conflict goes to `error`; returns which it was, so that
 * a move can end and an unknown answer can go on to the handler's own policy. When the master's own
 * record names the reporting node, the LRM read an older resources.cfg than the master: unknown too.
 */
export function settleWrongNode(ctx: ServiceContext, sid: string, status: ServiceStatus, result: LrmActionResult): WrongNodeVerdict {
  assert(result.result === LrmResult.wrongNode, `Result for ${sid} is not wrong node`);
  const configured = ctx.resource(sid).node;
  if (!configured || configured === status.node || result.runningHere === undefined) return 'unknown';
  if (result.runningHere) {
    ctx.emit({ ev: 'log', level: 'err', msg: `service '${sid}' runs on node '${status.node}', but resources.cfg places it on '${configured}'` });
    ctx.change(sid, status, 'error');
    return 'conflict';
  }
  takeConfiguredNode(ctx, sid, status, configured);
  return 'stale';
}
