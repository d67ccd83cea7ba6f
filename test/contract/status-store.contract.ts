import { strict as assert } from 'node:assert';
import type { LrmStatus } from '../../src/common/lrm-status.ts';
import { newServiceStatus, type ManagerStatus } from '../../src/common/manager-status.ts';
import { ServiceTable } from '../../src/common/service-table.ts';
import type { StatusRead, StatusStore } from '../../src/store/status-store.ts';

/** What the shared status-store suite needs from one implementation. */
export interface StatusStoreHarness {
  store(): StatusStore;
  /** Makes every call fail as an unreachable store does; `false` repairs it. */
  setBroken(isBroken: boolean): void;
  /** Puts `text` where the store keeps `what` (bypassing the store): a corrupt file or key. */
  writeRaw(what: 'manager' | 'lrm' | 'fenced', node: string, text: string): void;
  cleanup(): void;
}

export function managerStatusOf(services: number): ManagerStatus {
  const entries: Array<[string, ReturnType<typeof newServiceStatus>]> = [];
  for (let index = 0; index < services; index++) {
    const service = newServiceStatus(index % 7 === 0 ? 'migrate' : 'started', `node${index % 100}`, `uid${index.toString(36)}`);
    if (index % 7 === 0) service.target = `node${(index + 1) % 100}`;
    if (index % 13 === 0) service.lastFailure = `start on node${index % 100}: systemctl start svc${index}: exit 1`;
    entries.push([`vm:${100 + index}`, service]);
  }
  return {
    masterNode: 'node1',
    nodeStatus: { node1: 'online', node2: 'online', node3: 'fence' },
    serviceStatus: ServiceTable.from(entries),
    nodeRequest: { node3: { maintenance: true } },
    timestampMs: 1_700_000_000_000,
    version: { lease: 3, round: 42 },
  };
}

const lrmStatus: LrmStatus = {
  state: 'active',
  mode: 'active',
  results: new Map([['uid1', { sid: 'vm:101', request: 'started', result: 0 }]]),
  timestampMs: 1_700_000_000_500,
};

function valueOf<T>(read: StatusRead<T>): T {
  assert.equal(read.kind, 'ok', JSON.stringify(read));
  return (read as { value: T }).value;
}

const comparable = (status: ManagerStatus) => ({ ...status, serviceStatus: new Map(status.serviceStatus) });

/** The status-store contract: every implementation of the StatusStore port passes it. */
export function statusStoreContract(label: string, makeHarness: () => StatusStoreHarness): void {
  describe(`StatusStore contract: ${label}`, () => {
    let harness: StatusStoreHarness;
    beforeEach(() => {
      harness = makeHarness();
    });
    afterEach(() => harness.cleanup());

    it('nothing written yet: every status is missing and no node is listed', () => {
      const store = harness.store();
      assert.equal(store.readManagerStatus().kind, 'missing');
      assert.equal(store.readLrmStatus('node1').kind, 'missing');
      assert.equal(store.readFencedRecord('node1').kind, 'missing');
      assert.deepEqual(store.listLrmStatusNodes(), []);
    });

    it('the manager status reads back as written, and a later write replaces it whole', () => {
      const store = harness.store();
      assert.deepEqual(store.writeManagerStatus(managerStatusOf(3)), { kind: 'written' });
      assert.deepEqual(comparable(valueOf(harness.store().readManagerStatus())), comparable(managerStatusOf(3)));
      assert.deepEqual(store.writeManagerStatus(managerStatusOf(1)), { kind: 'written' });
      assert.deepEqual(comparable(valueOf(store.readManagerStatus())), comparable(managerStatusOf(1)));
    });

    it('a manager status of 20,000 services reads back as written, and shrinking it drops the rest', () => {
      const store = harness.store();
      assert.deepEqual(store.writeManagerStatus(managerStatusOf(20_000)), { kind: 'written' });
      assert.deepEqual(comparable(valueOf(store.readManagerStatus())), comparable(managerStatusOf(20_000)));
      assert.deepEqual(store.writeManagerStatus(managerStatusOf(2)), { kind: 'written' });
      assert.equal(valueOf(store.readManagerStatus()).serviceStatus.size, 2);
    });

    it('LRM statuses are per node, read back as written, and listed sorted', () => {
      const store = harness.store();
      assert.deepEqual(store.writeLrmStatus('node2', lrmStatus), { kind: 'written' });
      assert.deepEqual(store.writeLrmStatus('node1', { ...lrmStatus, mode: 'maintenance' }), { kind: 'written' });
      assert.deepEqual(store.listLrmStatusNodes(), ['node1', 'node2']);
      assert.deepEqual(valueOf(store.readLrmStatus('node2')), lrmStatus);
      assert.equal(valueOf(store.readLrmStatus('node1')).mode, 'maintenance');
    });

    it('a fenced record reads back; one filed under another node is corrupt', () => {
      const store = harness.store();
      const record = { node: 'node3', reason: 'Agent lease not renewed for 65000 ms', wallMs: 1_700_000_000_000 };
      assert.deepEqual(store.writeFencedRecord(record), { kind: 'written' });
      assert.deepEqual(valueOf(store.readFencedRecord('node3')), record);
      harness.writeRaw('fenced', 'node4', JSON.stringify(record));
      const wrong = store.readFencedRecord('node4');
      assert.equal(wrong.kind, 'corrupt');
      assert.match((wrong as { message: string }).message, /names node 'node3', not 'node4'/);
    });

    it('a value that does not parse is corrupt, naming where it is', () => {
      const store = harness.store();
      harness.writeRaw('lrm', 'node5', '{"state": "active", ');
      harness.writeRaw('manager', '', 'not json');
      const lrm = store.readLrmStatus('node5');
      assert.equal(lrm.kind, 'corrupt');
      assert.ok((lrm as { message: string }).message.includes((lrm as { file: string }).file), JSON.stringify(lrm));
      assert.equal(store.readManagerStatus().kind, 'corrupt');
    });

    it('an unreachable store is unavailable for every read and write, never a throw; repaired, it works', () => {
      const store = harness.store();
      harness.setBroken(true);
      assert.equal(store.readManagerStatus().kind, 'unavailable');
      assert.equal(store.writeManagerStatus(managerStatusOf(2)).kind, 'unavailable');
      assert.equal(store.writeLrmStatus('node1', lrmStatus).kind, 'unavailable');
      assert.equal(store.readLrmStatus('node1').kind, 'unavailable');
      assert.equal((store.listLrmStatusNodes() as { kind: string }).kind, 'unavailable');
      assert.equal(store.readFencedRecord('node1').kind, 'unavailable');
      harness.setBroken(false);
      assert.deepEqual(store.writeLrmStatus('node1', lrmStatus), { kind: 'written' });
      assert.deepEqual(store.listLrmStatusNodes(), ['node1']);
    });
  });
}
