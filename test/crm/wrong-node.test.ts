import { strict as assert } from 'node:assert';
import type { LrmActionResult } from '../../src/common/lrm-status.ts';
import { emptyManagerStatus, type ServiceStatus } from '../../src/common/manager-status.ts';
import type { RequestedState, ServiceState } from '../../src/common/states.ts';
import { config, harness } from './manager-harness.ts';

/**
 * A master took over an older status than resources.cfg: ct:102 `started` (or stopping, or moving)
 * on node3, while resources.cfg places it on node2 (a recovery or move whose status write was lost).
 */
function takenOver(state: ServiceState, configured: { node: string; state?: RequestedState }, target?: string) {
  const saved = emptyManagerStatus();
  saved.nodeStatus = { node1: 'online', node2: 'online', node3: 'online' };
  const service: ServiceStatus = {
    state, node: 'node3', uid: 'old', target, running: false, failedNodes: undefined, maintenanceNode: undefined,
    timeoutS: undefined, cmd: undefined, mayRunUnmanaged: false, isWaitingForNode: false, lastFailure: undefined,
  };
  saved.serviceStatus.set('ct:102', service);
  const h = harness(saved);
  const resources = { 'ct:102': { node: configured.node, state: configured.state ?? 'started', maxRestart: 0, maxRelocate: 1 } };
  /** One round in which node3's LRM answers the service's request with `wrong node`, having looked (or not). */
  const answer = (lookedHere: { runningHere?: boolean }) => {
    const result: LrmActionResult = { sid: 'ct:102', request: state, result: 3, reason: 'wrong node', ...lookedHere };
    const lrm = { state: 'active' as const, mode: 'active' as const, results: new Map([['old', result]]), timestampMs: 0 };
    return h.round({ nowMs: 1_000_000, config: config(resources), lrmStatuses: new Map([['node3', lrm]]) }, () => false);
  };
  return { ...h, answer, service: () => h.manager.status.serviceStatus.get('ct:102')! };
}

describe('Manager round: a wrong-node answer', () => {
  it('not running there: the service is taken to the node resources.cfg names, in the same state, as possibly running there', () => {
    const { answer, service, events, manager } = takenOver('started', { node: 'node2' });
    answer({ runningHere: false });
    const taken = service();
    assert.deepEqual([taken.state, taken.node, taken.mayRunUnmanaged, taken.failedNodes], ['started', 'node2', true, undefined]);
    assert.notEqual(taken.uid, 'old', 'a fresh request id, so that node2 acts');
    assert.deepEqual(events.filter((event) => event.ev === 'service-fixup'), [{ ev: 'service-fixup', sid: 'ct:102', from: 'node3', to: 'node2', reason: 'wrong-node' }]);
    assert.deepEqual(events.filter((event) => event.ev === 'policy' || event.ev === 'service-state'), [], 'no failed start, no move');
    assert.ok(manager.usageMatchesRecount(), 'its load moved with it');
  });

  it('running there although configured elsewhere: error, never a start on the configured node', () => {
    const { answer, service, events } = takenOver('started', { node: 'node2' });
    answer({ runningHere: true });
    assert.deepEqual([service().state, service().node], ['error', 'node3']);
    assert.ok(events.some((event) => event.ev === 'log' && event.level === 'err' && event.msg.includes("runs on node 'node3', but resources.cfg places it on 'node2'")));
  });

  it('an LRM that could not look, or a record that names the reporting node: the relocate policy as for any failed start', () => {
    for (const [lookedHere, configured] of [[{}, 'node2'], [{ runningHere: false }, 'node3']] as const) {
      const { answer, service, events } = takenOver('started', { node: configured });
      answer(lookedHere);
      assert.deepEqual([service().state, service().failedNodes], ['relocate', ['node3']], JSON.stringify(lookedHere));
      assert.equal(events.filter((event) => event.ev === 'service-fixup').length, 0);
    }
  });

  it('a move whose source does not hold the service ends on the configured node', () => {
    const { answer, service, events } = takenOver('migrate', { node: 'node2' }, 'node1');
    answer({ runningHere: false });
    assert.deepEqual([service().state, service().node, service().target], ['started', 'node2', undefined]);
    assert.deepEqual(events.filter((event) => event.ev === 'service-fixup' || event.ev === 'service-state').map((event) => event.ev), ['service-fixup', 'service-state']);
    const unknown = takenOver('migrate', { node: 'node2' }, 'node1');
    unknown.answer({});
    assert.equal(unknown.service().state, 'error', 'unproven: as before, error');
  });

  it('a stop goes on on the configured node', () => {
    const { answer, service } = takenOver('request_stop', { node: 'node2', state: 'stopped' });
    answer({ runningHere: false });
    assert.deepEqual([service().state, service().node], ['request_stop', 'node2']);
    assert.notEqual(service().uid, 'old');
  });
});
