import { strict as assert } from 'node:assert';
import type { ResourceConfig } from '../../src/common/ha-config.ts';
import { ResourceRecords } from '../../src/crm/resource-records.ts';

const on = (node: string): ResourceConfig => ({ node, state: 'started', maxRestart: 1, maxRelocate: 1 });

describe('ResourceRecords: what the master records in resources.cfg', () => {
  it('asks for a node again every round until the config shows it', () => {
    const records = new ResourceRecords();
    records.startRound({ 'vm:1': on('n1') });
    records.record('vm:1', { node: 'n2' });
    assert.deepEqual(records.roundUpdates(), [{ sid: 'vm:1', patch: { node: 'n2' } }]);
    records.startRound({ 'vm:1': on('n1') }); // the write did not land
    assert.deepEqual(records.roundUpdates(), [{ sid: 'vm:1', patch: { node: 'n2' } }]);
    records.startRound({ 'vm:1': on('n2') });
    assert.deepEqual(records.roundUpdates(), []);
    assert.equal(records.unconfirmedCount(), 0);
  });

  it('shows the recorded node to the master\'s own reads meanwhile, and nothing else', () => {
    const records = new ResourceRecords();
    const resources = { 'vm:1': on('n1'), 'vm:2': on('n1') };
    records.startRound(resources);
    assert.equal(records.resource(resources, 'vm:1'), resources['vm:1'], 'no record: the config itself');
    records.record('vm:1', { node: 'n3' });
    assert.deepEqual(records.resource(resources, 'vm:1'), on('n3'));
    assert.equal(records.resource(resources, 'vm:2'), resources['vm:2']);
    assert.equal(records.resource(resources, 'vm:9'), undefined);
  });

  it('asks for a requested state once: the operator may have changed it since', () => {
    const records = new ResourceRecords();
    records.startRound({ 'vm:1': on('n1') });
    records.record('vm:1', { state: 'stopped' });
    assert.deepEqual(records.roundUpdates(), [{ sid: 'vm:1', patch: { state: 'stopped' } }]);
    records.startRound({ 'vm:1': on('n1') });
    assert.deepEqual(records.roundUpdates(), []);
  });

  it('forgets a node recorded for a service that is no longer configured', () => {
    const records = new ResourceRecords();
    records.startRound({ 'vm:1': on('n1') });
    records.record('vm:1', { node: 'n2' });
    records.startRound({});
    assert.deepEqual(records.roundUpdates(), []);
    assert.equal(records.unconfirmedCount(), 0);
  });
});
