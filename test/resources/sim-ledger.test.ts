import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLedger, ledgerFileOf, pidFileOf, readLedger, readResets, resetsFileOf, sidFileName } from '../../src/resources/sim-ledger.ts';

describe('sim ledger', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-ledger-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names files after the sid without collisions between type and name', () => {
    assert.equal(sidFileName('vm:101'), 'vm.101');
    assert.notEqual(sidFileName('a-b:c'), sidFileName('a:b-c'));
    assert.notEqual(sidFileName('a_b:c'), sidFileName('a:b_c'));
    assert.equal(pidFileOf('/n', 'service:getty@tty1'), '/n/pids/service-service.getty@tty1.pid');
    assert.throws(() => sidFileName('../x'), /Bad argument sid: "\.\.\/x"/);
  });

  it('reads back what was appended, from all services, ordered by wall clock', () => {
    appendLedger(dir, { wallMs: 30, node: 'n2', sid: 'vm:101', event: 'start', pid: 2 });
    appendLedger(dir, { wallMs: 10, monoNs: 5, node: 'n1', sid: 'ct:200', event: 'start', pid: 1 });
    appendLedger(dir, { wallMs: 20, node: 'n1', sid: 'ct:200', event: 'stop', pid: 1 });
    assert.deepEqual(readLedger(dir), [
      { wallMs: 10, monoNs: 5, node: 'n1', sid: 'ct:200', event: 'start', pid: 1 },
      { wallMs: 20, node: 'n1', sid: 'ct:200', event: 'stop', pid: 1 },
      { wallMs: 30, node: 'n2', sid: 'vm:101', event: 'start', pid: 2 },
    ]);
  });

  it('skips a last line still being written, and names the file of a bad line', () => {
    appendLedger(dir, { wallMs: 10, node: 'n1', sid: 'vm:1', event: 'start', pid: 1 });
    appendFileSync(ledgerFileOf(dir, 'vm:1'), '{"wallMs": 20, "no');
    assert.equal(readLedger(dir).length, 1);
    writeFileSync(ledgerFileOf(dir, 'vm:2'), '{"wallMs": 1, "node": "n1", "sid": "vm:2", "event": "jump", "pid": 3}\n');
    assert.throws(() => readLedger(dir), /vm\.2\.jsonl entry 1: bad ledger line: .*jump/);
  });

  it('is empty when there is no ledger folder yet', () => {
    assert.deepEqual(readLedger(join(dir, 'absent')), []);
  });

  it('reads the resets of each node folder, tagged with the node', () => {
    for (const node of ['n1', 'n2']) mkdirSync(join(dir, node));
    writeFileSync(resetsFileOf(join(dir, 'n2')), '{"wallMs": 50, "reason": "watchdog", "killed": ["service-vm.1:4"]}\n{"wallMs": 5, "reason": "watchdog"}\n');
    assert.deepEqual(readResets({ n1: join(dir, 'n1'), n2: join(dir, 'n2') }), [
      { node: 'n2', wallMs: 5, reason: 'watchdog' },
      { node: 'n2', wallMs: 50, reason: 'watchdog' },
    ]);
  });
});
