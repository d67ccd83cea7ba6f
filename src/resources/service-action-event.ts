import { LrmResult } from '../common/lrm-result.ts';
import type { TraceBody } from '../common/trace.ts';
import type { LrmJob } from '../env/env.ts';
import type { RequestOutcome } from './request-steps.ts';

/**
 * The `service-action` trace event of an executed request, emitted from the outcome by the simulator
 * and the node LRM alike, so real runs are checked with the same tools: none when nothing was done;
 * `wrong node` errors named after the request; moves carry their target; failures their reason.
 */
export function serviceActionEvent(job: LrmJob, outcome: RequestOutcome): TraceBody | undefined {
  if (outcome.result === LrmResult.wrongNode) {
    return { ev: 'service-action', sid: job.sid, action: requestActionName(job.request), result: 'error', reason: 'wrong node' };
  }
  if (outcome.action === 'none') return undefined;
  const result = outcome.result === LrmResult.success ? 'ok' : outcome.result === LrmResult.ignored ? 'ignored' : 'error';
  const isMove = outcome.action === 'migrate' || outcome.action === 'relocate' || outcome.action === 'rebalance';
  return {
    ev: 'service-action',
    sid: job.sid,
    action: outcome.action,
    result,
    ...(isMove && job.target !== undefined ? { target: job.target } : {}),
    ...(result === 'error' && outcome.reason !== undefined ? { reason: outcome.reason } : {}),
  };
}

function requestActionName(request: string): string {
  if (request === 'started') return 'start';
  if (request === 'request_stop' || request === 'stopped') return 'stop';
  if (request === 'request_start_balance') return 'rebalance';
  return request;
}
