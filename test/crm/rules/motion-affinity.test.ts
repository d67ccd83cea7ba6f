import { strict as assert } from 'node:assert';
import { newServiceStatus, type ServiceStatus } from '../../../src/common/manager-status.ts';
import { compileRules } from '../../../src/crm/rules/compile-rules.ts';
import { motionWithAffinity } from '../../../src/crm/rules/motion-affinity.ts';
import { negative, NODES3, positive } from './rule-fixtures.ts';

const moving = (node: string, target: string): ServiceStatus => ({ ...newServiceStatus('migrate', node, 'u'), target });

describe('motionWithAffinity (README-5.2 §6.5)', () => {
  const rules = compileRules([negative('n', ['vm:1', 'vm:2']), positive('p', ['vm:1', 'vm:3', 'vm:4'])], NODES3);

  it('refuses a move onto a negative partner that stays there', () => {
    const services = new Map([['vm:2', newServiceStatus('started', 'node2', 'u')]]);
    assert.deepEqual(motionWithAffinity({ sid: 'vm:1', target: 'node2' }, rules, (sid) => services.get(sid)), { isRefused: true, reason: 'negative affinity with vm:2 on node2' });
  });

  it('accepts it when the partner is leaving the target already', () => {
    const services = new Map([['vm:2', moving('node2', 'node3')]]);
    assert.equal(motionWithAffinity({ sid: 'vm:1', target: 'node2' }, rules, (sid) => services.get(sid)).isRefused, false);
  });

  it('lets managed positive partners follow unless they are on the target or moving there', () => {
    const services = new Map([
      ['vm:3', newServiceStatus('started', 'node1', 'u')],
      ['vm:4', moving('node1', 'node3')],
    ]);
    assert.deepEqual(motionWithAffinity({ sid: 'vm:1', target: 'node2' }, rules, (sid) => services.get(sid)), { isRefused: false, followers: ['vm:3', 'vm:4'] });
    assert.deepEqual(motionWithAffinity({ sid: 'vm:1', target: 'node3' }, rules, (sid) => services.get(sid)), { isRefused: false, followers: ['vm:3'] });
  });
});
