import { strict as assert } from 'node:assert';
import { copyServiceStatus, newServiceStatus, type ServiceStatus } from '../../src/common/manager-status.ts';
import { ServiceTable } from '../../src/common/service-table.ts';
import { Prng } from '../../src/common/prng.ts';

const service = (node: string, uid: string) => newServiceStatus('started', node, uid);
const listed = (table: ServiceTable) => [...table].map(([sid, status]) => `${sid}@${status.node}`);

describe('ServiceTable', () => {
  it('reads like a Map: get, has, size, insertion order, re-added keys go last', () => {
    const table = ServiceTable.from([['vm:2', service('n1', 'a')], ['vm:1', service('n2', 'b')]]);
    table.set('vm:3', service('n3', 'c'));
    assert.equal(table.size, 3);
    assert.equal(table.get('vm:1')?.node, 'n2');
    assert.equal(table.has('vm:4'), false);
    assert.equal(table.get('vm:4'), undefined);
    assert.equal(table.delete('vm:2'), true);
    assert.equal(table.delete('vm:2'), false);
    table.set('vm:2', service('n4', 'd'));
    assert.deepEqual(listed(table), ['vm:1@n2', 'vm:3@n3', 'vm:2@n4']);
    assert.deepEqual([...table.keys()], ['vm:1', 'vm:3', 'vm:2']);
    assert.deepEqual([...table.values()].map((s) => s.uid), ['b', 'c', 'd']);
    const seen: string[] = [];
    table.forEach((status, sid) => seen.push(`${sid}:${status.uid}`));
    assert.deepEqual(seen, ['vm:1:b', 'vm:3:c', 'vm:2:d']);
  });

  it('a snapshot holds copies and stays as it was, whatever either side changes afterwards', () => {
    const table = ServiceTable.from([['vm:1', service('n1', 'a')], ['vm:2', service('n2', 'b')]]);
    const snapshot = table.snapshot(copyServiceStatus);
    assert.notEqual(snapshot.get('vm:1'), table.get('vm:1'), 'records are copies');
    table.get('vm:1')!.uid = 'changed';
    table.set('vm:2', service('n3', 'x'));
    table.set('vm:3', service('n1', 'new'));
    table.delete('vm:1');
    assert.deepEqual(listed(snapshot), ['vm:1@n1', 'vm:2@n2']);
    assert.equal(snapshot.get('vm:1')!.uid, 'a');
    assert.equal(snapshot.has('vm:3'), false);
    assert.deepEqual(listed(table), ['vm:2@n3', 'vm:3@n1']);
    snapshot.delete('vm:2');
    assert.deepEqual(listed(table), ['vm:2@n3', 'vm:3@n1'], 'a change to the snapshot leaves the table alone');
  });

  it('agrees with a Map under random sets, deletes and snapshots (compaction included)', () => {
    const prng = new Prng(7);
    const table = ServiceTable.empty();
    const model = new Map<string, ServiceStatus>();
    const snapshots: Array<{ table: ServiceTable; expected: string[] }> = [];
    for (let step = 0; step < 5000; step++) {
      const sid = `vm:${prng.nextU32() % 300}`;
      const draw = prng.nextU32() % 10;
      if (draw < 5) {
        const status = service(`n${prng.nextU32() % 4}`, String(step));
        table.set(sid, status);
        model.set(sid, status);
      } else if (draw < 9) {
        assert.equal(table.delete(sid), model.delete(sid));
      } else {
        snapshots.push({ table: table.snapshot(copyServiceStatus), expected: [...model].map(([s, st]) => `${s}@${st.node}`) });
      }
      assert.equal(table.size, model.size);
    }
    assert.deepEqual(listed(table), [...model].map(([s, st]) => `${s}@${st.node}`));
    for (const { table: snapshot, expected } of snapshots) assert.deepEqual(listed(snapshot), expected);
  });
});
