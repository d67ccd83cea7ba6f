import { strict as assert } from 'node:assert';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { serviceActionEvent } from '../../src/resources/service-action-event.ts';

describe('serviceActionEvent', () => {
  const job = (request: string, target?: string) => ({ sid: 'vm:101', uid: 'u1', request, ...(target ? { target } : {}) });

  it('emits nothing when nothing was done', () => {
    assert.equal(serviceActionEvent(job('started'), { result: LrmResult.success, action: 'none' }), undefined);
  });

  it('names a wrong-node error after the request, as the simulator does', () => {
    assert.deepEqual(serviceActionEvent(job('request_start_balance', 'n2'), { result: LrmResult.wrongNode, action: 'none', reason: 'wrong node' }), {
      ev: 'service-action', sid: 'vm:101', action: 'rebalance', result: 'error', reason: 'wrong node',
    });
  });

  it('gives moves their target, ignored balances their result, and failures their reason', () => {
    assert.deepEqual(serviceActionEvent(job('migrate', 'n2'), { result: LrmResult.success, action: 'migrate' }), {
      ev: 'service-action', sid: 'vm:101', action: 'migrate', result: 'ok', target: 'n2',
    });
    assert.deepEqual(serviceActionEvent(job('request_start_balance', 'n2'), { result: LrmResult.ignored, action: 'rebalance' }), {
      ev: 'service-action', sid: 'vm:101', action: 'rebalance', result: 'ignored', target: 'n2',
    });
    assert.deepEqual(serviceActionEvent(job('started'), { result: LrmResult.error, action: 'start', reason: 'boom' }), {
      ev: 'service-action', sid: 'vm:101', action: 'start', result: 'error', reason: 'boom',
    });
    assert.deepEqual(serviceActionEvent(job('started'), { result: LrmResult.unknownServiceType, action: 'start', reason: 'no virsh' }), {
      ev: 'service-action', sid: 'vm:101', action: 'start', result: 'error', reason: 'no virsh',
    });
  });
});
