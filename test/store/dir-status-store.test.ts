import { ServiceTable } from '../../src/common/service-table.ts';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssertionError } from '../../src/common/assert.ts';
import type { LrmStatus } from '../../src/common/lrm-status.ts';
import { emptyManagerStatus, newServiceStatus, type ManagerStatus } from '../../src/common/manager-status.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import type { FencedRecord } from '../../src/store/fenced-record.ts';
import { createSharedDirLayout, sharedPaths } from '../../src/store/shared-dir.ts';

function managerStatus(): ManagerStatus {
  const service = newServiceStatus('migrate', 'node1', 'a1b2c3');
  service.target = 'node2';
  service.failedNodes = ['node3'];
  service.lastFailure = 'start on node3: lxc-start -n 101: No container config specified';
  return {
    masterNode: 'node1',
    nodeStatus: { node1: 'online', node2: 'online', node3: 'fence' },
    serviceStatus: ServiceTable.from([['vm:101', service], ['ct:200', newServiceStatus('started', 'node2', 'd4e5f6')]]),
    nodeRequest: { node3: { maintenance: true } },
    timestampMs: 1_700_000_000_000,
  };
}

const lrmStatus: LrmStatus = {
  state: 'active',
  mode: 'active',
  results: new Map([
    ['a1b2c3', { sid: 'vm:101', request: 'started', result: 0 }],
    ['x9', { sid: 'ct:200', request: 'started', result: 1, reason: 'lxc-start -n 200: No container config specified' }],
  ]),
  timestampMs: 1_700_000_000_500,
};

describe('DirStatusStore', () => {
  let root: string;
  let store: DirStatusStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ha-status-'));
    createSharedDirLayout(root);
    store = new DirStatusStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const paths = () => sharedPaths(root);

  it('writes status/manager.json in the persisted shape and reads it back', () => {
    assert.deepEqual(store.writeManagerStatus(managerStatus()), { kind: 'written' });
    const read = store.readManagerStatus();
    assert.equal(read.kind, 'ok');
    // Services compared as Maps: the file lists them by sid, whatever order they were added in.
    const comparable = (status: ManagerStatus) => ({ ...status, serviceStatus: new Map(status.serviceStatus) });
    assert.deepEqual(comparable(read.kind === 'ok' ? read.value : emptyManagerStatus()), comparable(managerStatus()));
    const json = JSON.parse(readFileSync(paths().managerStatus, 'utf8')) as Record<string, unknown>;
    assert.equal(json.master_node, 'node1');
    assert.deepEqual(json.node_request, { node3: { maintenance: 1 } });
    assert.equal((json.service_status as Record<string, Record<string, unknown>>)['vm:101']!.last_failure, 'start on node3: lxc-start -n 101: No container config specified');
    assert.deepEqual(readdirSync(paths().status).sort(), ['fenced', 'lrm', 'manager.json'], 'no temporary file left behind');
  });

  it('writes and reads status/lrm/<node>.json and lists the nodes that published one', () => {
    assert.deepEqual(store.writeLrmStatus('node2', lrmStatus), { kind: 'written' });
    assert.deepEqual(store.writeLrmStatus('node1', { ...lrmStatus, state: 'wait_for_agent_lock', results: new Map() }), { kind: 'written' });
    writeFileSync(join(paths().lrmStatusDir, 'not a node.json'), '{}');
    assert.deepEqual(store.readLrmStatus('node2'), { kind: 'ok', value: lrmStatus });
    assert.deepEqual(store.listLrmStatusNodes(), ['node1', 'node2']);
    assert.deepEqual(JSON.parse(readFileSync(paths().lrmStatus('node2'), 'utf8')), {
      state: 'active',
      mode: 'active',
      results: {
        a1b2c3: { sid: 'vm:101', state: 'started', exit_code: 0 },
        x9: { sid: 'ct:200', state: 'started', exit_code: 1, reason: 'lxc-start -n 200: No container config specified' },
      },
      timestamp: 1_700_000_000_500,
    });
  });

  it('reads status files written before failure reasons existed (no reason, no last_failure)', () => {
    writeFileSync(paths().lrmStatus('node1'), JSON.stringify({ state: 'active', mode: 'active', results: { u1: { sid: 'vm:101', state: 'started', exit_code: 1 } }, timestamp: 5 }));
    const lrm = store.readLrmStatus('node1');
    assert.deepEqual(lrm.kind === 'ok' ? [...lrm.value.results.values()] : lrm, [{ sid: 'vm:101', request: 'started', result: 1 }]);
    writeFileSync(paths().managerStatus, JSON.stringify({ node_status: {}, service_status: { 'vm:101': { state: 'error', node: 'node1', uid: 'u1' } } }));
    const manager = store.readManagerStatus();
    assert.equal(manager.kind === 'ok' ? manager.value.serviceStatus.get('vm:101')?.lastFailure : 'unread', undefined);
  });

  it('a file that is not there is missing, not an error', () => {
    assert.deepEqual(store.readManagerStatus(), { kind: 'missing', file: paths().managerStatus });
    assert.deepEqual(store.readLrmStatus('node9'), { kind: 'missing', file: paths().lrmStatus('node9') });
    assert.deepEqual(store.readFencedRecord('node9'), { kind: 'missing', file: paths().fenced('node9') });
  });

  it('a corrupt file reads as a typed error naming the file and the problem', () => {
    writeFileSync(paths().managerStatus, '{"node_status": {"node1": "online"');
    const truncated = store.readManagerStatus();
    assert.equal(truncated.kind, 'corrupt');
    assert.ok(truncated.kind === 'corrupt' && truncated.message.startsWith(`${paths().managerStatus}: `), JSON.stringify(truncated));
    writeFileSync(paths().lrmStatus('node1'), JSON.stringify({ state: 'dancing', mode: 'active', results: {} }));
    assert.deepEqual(store.readLrmStatus('node1'), {
      kind: 'corrupt',
      file: paths().lrmStatus('node1'),
      message: `${paths().lrmStatus('node1')}: Unknown LRM state 'dancing'`,
    });
    writeFileSync(paths().managerStatus, JSON.stringify({ service_status: { 'vm:1': null } }));
    assert.equal(store.readManagerStatus().kind, 'corrupt');
    writeFileSync(paths().managerStatus, '[]');
    assert.equal(store.readManagerStatus().kind, 'corrupt');
  });

  it('a missing status directory makes reads and writes unavailable, naming the file', () => {
    renameSync(paths().status, `${paths().status}.away`);
    const written = store.writeLrmStatus('node1', lrmStatus);
    assert.equal(written.kind, 'unavailable');
    assert.ok(written.kind === 'unavailable' && written.message.includes(paths().lrmStatus('node1')) && written.message.includes('ENOENT'));
    assert.equal((store.listLrmStatusNodes() as { kind: string }).kind, 'unavailable');
    writeFileSync(`${paths().status}`, 'not a directory');
    const read = store.readManagerStatus();
    assert.equal(read.kind, 'unavailable');
    assert.ok(read.kind === 'unavailable' && read.message.includes('ENOTDIR'), JSON.stringify(read));
  });

  it('publishes and reads the black-box record of a fenced node', () => {
    const record: FencedRecord = { node: 'node3', reason: 'Agent lease not renewed for 65000 ms: store unavailable (EIO)', wallMs: 1_700_000_100_000, lastRenewalWallMs: 1_700_000_035_000 };
    assert.deepEqual(store.writeFencedRecord(record), { kind: 'written' });
    assert.deepEqual(store.readFencedRecord('node3'), { kind: 'ok', value: record });
    assert.deepEqual(JSON.parse(readFileSync(paths().fenced('node3'), 'utf8')), record);
  });

  it('a fenced record filed under another node is corrupt', () => {
    writeFileSync(paths().fenced('node1'), JSON.stringify({ node: 'node2', reason: 'Watchdog reset', wallMs: 1 }));
    assert.deepEqual(store.readFencedRecord('node1'), { kind: 'corrupt', file: paths().fenced('node1'), message: `${paths().fenced('node1')}: Record names node 'node2', not 'node1'` });
  });

  it('refuses, as a bug, to write what it could not read back or a bad node name', () => {
    assert.throws(() => store.writeFencedRecord({ node: 'node1', reason: '', wallMs: 1 }), AssertionError);
    assert.throws(() => store.writeLrmStatus('../etc', lrmStatus), AssertionError);
    assert.throws(() => store.writeLrmStatus('node1', { ...lrmStatus, state: 'dancing' as LrmStatus['state'] }), /Refusing to write .*node1\.json: the status does not read back/);
    assert.deepEqual(readdirSync(paths().lrmStatusDir), []);
  });
});
