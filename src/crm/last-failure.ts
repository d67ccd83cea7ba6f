import { LrmResult, lrmResultName } from '../common/lrm-result.ts';
import type { LrmActionResult } from '../common/lrm-status.ts';
import type { ServiceStatus } from '../common/manager-status.ts';

/** The action an LRM request stands for, as an operator says it. */
const ACTION_OF_REQUEST: Readonly<Record<string, string>> = {
  started: 'start',
  request_stop: 'stop',
  stopped: 'stop',
  migrate: 'migrate',
  relocate: 'relocate',
  request_start_balance: 'move',
};

/**
 * Records what the LRM reported for the service's request in `lastFailure`: a failure as one line
 * (action, node, the driver's reason), a success of a start or a stop as the end of the trouble. A
 * successful move keeps it: the start on the new node is what shows whether the trouble is over.
 */
export function noteResult(status: ServiceStatus, result: LrmActionResult): void {
  const action = ACTION_OF_REQUEST[result.request] ?? result.request;
  if (result.result === LrmResult.success) {
    if (action === 'start' || action === 'stop') status.lastFailure = undefined;
    return;
  }
  if (result.result === LrmResult.ignored) return;
  const where = `${action} on ${status.node}`;
  status.lastFailure = result.reason !== undefined ? `${where}: ${result.reason}` : `${where} failed (${lrmResultName(result.result)})`;
}
