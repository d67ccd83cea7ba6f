import { strict as assert } from 'node:assert';
import { newServiceStatus } from '../../src/common/manager-status.ts';
import { ServiceTable } from '../../src/common/service-table.ts';
import { ManagerCaches } from '../../src/crm/manager-caches.ts';

function table(entries: Array<[string, string]>): ServiceTable {
  return ServiceTable.from(entries.map(([sid, node]) => [sid, newServiceStatus('started', node, `u-${sid}`)] as const));
}

describe('ManagerCaches: one owner for the manager caches', () => {
  it('keeps the sorted entries until a service is added or removed', () => {
    const services = table([['vm:3', 'n1'], ['vm:1', 'n2']]);
    const caches = new ManagerCaches(services);
    const first = caches.entries();
    assert.deepEqual(first.map(([sid]) => sid), ['vm:1', 'vm:3']);
    assert.equal(caches.entries(), first, 'the same array while nothing was added or removed');
    services.set('vm:2', newServiceStatus('started', 'n1', 'u'));
    caches.serviceAdded();
    assert.deepEqual(caches.entries().map(([sid]) => sid), ['vm:1', 'vm:2', 'vm:3']);
    services.delete('vm:1');
    caches.serviceRemoved();
    assert.deepEqual(caches.entries().map(([sid]) => sid), ['vm:2', 'vm:3']);
  });

  it('carries the usage while the online nodes stay the same, and recounts when they change', () => {
    const services = table([['vm:1', 'n1'], ['vm:2', 'n1'], ['vm:3', 'n2']]);
    const caches = new ManagerCaches(services);
    const usage = caches.usageForRound(['n1', 'n2'], undefined);
    assert.deepEqual([usage.serviceCount('n1'), usage.serviceCount('n2')], [2, 1]);
    assert.equal(caches.usageForRound(['n1', 'n2'], undefined), usage, 'carried');
    const status = services.get('vm:1')!;
    const before = { state: status.state, node: status.node, target: status.target };
    status.node = 'n2';
    caches.stateChanged('vm:1', before, status);
    assert.deepEqual([usage.serviceCount('n1'), usage.serviceCount('n2')], [1, 2], 'a change moves the load');
    assert.ok(caches.usageMatchesRecount(['n1', 'n2']));
    const fewer = caches.usageForRound(['n2'], undefined);
    assert.notEqual(fewer, usage, 'another online set: counted anew');
    assert.equal(fewer.serviceCount('n2'), 2);
  });

  it('counts anew after a service was added or removed', () => {
    const services = table([['vm:1', 'n1']]);
    const caches = new ManagerCaches(services);
    const usage = caches.usageForRound(['n1'], undefined);
    services.set('vm:2', newServiceStatus('started', 'n1', 'u'));
    caches.serviceAdded();
    const recounted = caches.usageForRound(['n1'], undefined);
    assert.notEqual(recounted, usage);
    assert.equal(recounted.serviceCount('n1'), 2);
  });

  it('reuses sized usage only untouched: same sizes, no state change, the same running marks', () => {
    const services = table([['vm:1', 'n1'], ['vm:2', 'n1']]);
    const caches = new ManagerCaches(services);
    const sizing = { sizes: { 'vm:1': { maxCpu: 1, maxMemBytes: 1 } }, capacities: { n1: { cpus: 4, memoryBytes: 1 << 30 }, n2: { cpus: 4, memoryBytes: 1 << 30 } } };
    const first = caches.usageForRound(['n1', 'n2'], sizing);
    assert.equal(caches.usageForRound(['n1', 'n2'], sizing), first, 'a steady round reuses it');
    assert.notEqual(caches.usageForRound(['n1', 'n2'], { ...sizing }), first, 'other sizes: counted anew');
    const counted = caches.usageForRound(['n1', 'n2'], sizing);
    services.get('vm:1')!.running = true;
    assert.notEqual(caches.usageForRound(['n1', 'n2'], sizing), counted, 'a running mark set without a state change');
    const marked = caches.usageForRound(['n1', 'n2'], sizing);
    const status = services.get('vm:1')!;
    caches.stateChanged('vm:1', { state: 'started', node: 'n1' }, { state: 'started', node: 'n2' });
    status.node = 'n2';
    const recounted = caches.usageForRound(['n1', 'n2'], sizing);
    assert.notEqual(recounted, marked, 'a state change: counted anew, not carried with fractional sums');
    assert.equal(recounted.serviceCount('n2'), 1);
  });

  it('knows whether any service is in fence from the changes it is told of', () => {
    const services = table([['vm:1', 'n1'], ['vm:2', 'n1']]);
    const caches = new ManagerCaches(services);
    caches.usageForRound(['n1'], undefined);
    assert.equal(caches.hasFencedServices(), false);
    const status = services.get('vm:2')!;
    caches.stateChanged('vm:2', { state: 'started', node: 'n1', target: undefined }, { ...status, state: 'fence' });
    status.state = 'fence';
    assert.equal(caches.hasFencedServices(), true);
    caches.stateChanged('vm:2', { state: 'fence', node: 'n1', target: undefined }, { ...status, state: 'recovery' });
    status.state = 'recovery';
    assert.equal(caches.hasFencedServices(), false);
  });

  it('catches a change it was not told of (the check the scenario tests and the swarm run)', () => {
    const services = table([['vm:1', 'n1']]);
    const caches = new ManagerCaches(services);
    caches.usageForRound(['n1', 'n2'], undefined);
    services.get('vm:1')!.node = 'n2'; // changed behind the caches' back
    assert.equal(caches.usageMatchesRecount(['n1', 'n2']), false);
  });

  it('is synced only with a generation it was synced with; an unknown generation never is', () => {
    const caches = new ManagerCaches(table([]));
    assert.equal(caches.isSyncedWith(undefined), false);
    caches.syncedWith(undefined);
    assert.equal(caches.isSyncedWith(undefined), false);
    caches.syncedWith(7);
    assert.equal(caches.isSyncedWith(7), true);
    assert.equal(caches.isSyncedWith(8), false);
  });
});
