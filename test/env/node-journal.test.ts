import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fencedRecordOf, lastRunOf } from '../../src/env/fence-report.ts';
import { NodeJournals } from '../../src/env/journal-reader.ts';
import { NodeJournal, type BlackBoxEntry } from '../../src/env/node-journal.ts';

const entry = (wallMs: number, kind: BlackBoxEntry['kind'], detail = ''): BlackBoxEntry => ({ wallMs, monoMs: wallMs, kind, detail });

describe('NodeJournal: node-local SQLite journal and black box', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is WAL with synchronous=FULL, buffers until flush, and keeps entries across reopening', () => {
    const file = join(dir, 'lrm.db');
    const journal = new NodeJournal(file);
    journal.record(entry(1, 'start', 'pid 1 boot x'));
    journal.recordEvent(2, 2, { ev: 'lrm-state', from: 'startup', to: 'wait_for_agent_lock' });
    const reader = new Database(file, { readonly: true });
    assert.equal(reader.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal((reader.prepare('SELECT COUNT(*) AS n FROM blackbox').get() as { n: number }).n, 0, 'nothing written before flush');
    assert.equal(journal.flush(), true);
    assert.equal((reader.prepare('SELECT COUNT(*) AS n FROM blackbox').get() as { n: number }).n, 1);
    reader.close();
    journal.close();
    const again = new NodeJournal(file);
    assert.deepEqual(again.lastBlackBox(10).map((row) => row.kind), ['start']);
    assert.deepEqual(again.events(), [{ ev: 'lrm-state', from: 'startup', to: 'wait_for_agent_lock' }]);
    again.close();
  });

  it('keeps rows buffered when the file is locked by another writer, and writes them later', () => {
    const file = join(dir, 'crm.db');
    const journal = new NodeJournal(file);
    journal.flush();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    journal.record(entry(5, 'renew', 'manager renewed in 1 ms'));
    assert.equal(journal.flush(), false, 'SQLITE_BUSY is a value, not a crash');
    other.exec('COMMIT');
    other.close();
    assert.equal(journal.flush(), true);
    assert.deepEqual(journal.lastBlackBox(5).map((row) => row.kind), ['renew']);
    journal.close();
  });
});

describe('NodeJournals: reading the journals of a node', () => {
  it("skips a journal whose daemon created the file but not its tables yet (it is read at a later look)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-journals-'));
    try {
      new Database(join(dir, 'crm.db')).close(); // an empty database: the daemon is between open and CREATE TABLE
      const lrm = new NodeJournal(join(dir, 'lrm.db'));
      lrm.recordEvent(1, 1, { ev: 'lrm-state', from: 'startup', to: 'wait_for_agent_lock' });
      lrm.flush();
      const early = new NodeJournals(dir);
      assert.deepEqual(early.daemons, ['lrm']);
      assert.equal(early.readLast({ rowsMax: 0, isRoutineShown: true }).rows.length, 1);
      early.close();
      new NodeJournal(join(dir, 'crm.db')).close();
      const later = new NodeJournals(dir);
      assert.deepEqual(later.daemons.sort(), ['crm', 'lrm']);
      later.close();
      lrm.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fence report: what the black box says after a reset', () => {
  it('a run that ended armed died armed; a clean disarm is not a fence', () => {
    const armed = lastRunOf([entry(1, 'start', 'pid 7 boot aaaa-bb'), entry(2, 'arm'), entry(3, 'renew'), entry(4, 'keepalive'), entry(9, 'renew-failed', 'agent.node1: shared directory /x unreachable')]);
    assert.equal(armed.diedArmed, true);
    assert.equal(armed.lastRenewalWallMs, 3);
    assert.equal(armed.bootId, 'aaaa-bb');
    assert.match(armed.lastProblem ?? '', /unreachable/);
    const clean = lastRunOf([entry(1, 'start'), entry(2, 'arm'), entry(3, 'renew'), entry(4, 'disarm'), entry(5, 'exit')]);
    assert.equal(clean.diedArmed, false);
    const restarted = lastRunOf([entry(1, 'start'), entry(2, 'arm'), entry(3, 'start')]);
    assert.equal(restarted.diedArmed, false, 'a new start begins a new run');
  });

  it('a hand-over is not a death; a claimed registration is armed from the start', () => {
    const handedOver = lastRunOf([entry(1, 'start'), entry(2, 'arm'), entry(3, 'renew'), entry(4, 'keepalive'), entry(5, 'hand-over'), entry(6, 'exit')]);
    assert.equal(handedOver.diedArmed, false);
    const claimedThenKilled = lastRunOf([entry(1, 'start'), entry(2, 'claim', 'last keepalive 900 ms before the claim'), entry(3, 'adopt'), entry(4, 'renew')]);
    assert.equal(claimedThenKilled.diedArmed, true);
  });

  it('names the reset, the last renewal and the last problem in one sentence', () => {
    const lastRun = lastRunOf([entry(1, 'start', 'boot aaaa'), entry(2, 'arm'), entry(1000, 'renew'), entry(4000, 'renew-failed', 'agent.node1 unavailable')]);
    const emulated = fencedRecordOf('node1', 'ha-lrm', lastRun, { wallMs: 9000, bootId: 'aaaa', emulatedResetWallMs: 8000 });
    assert.equal(
      emulated.reason,
      'ha-lrm of node1 was fenced: reset by its (emulated) watchdog 7.0 s after its last lease renewal; last lease renewal 3.0 s before its last record; last problem: renew-failed: agent.node1 unavailable',
    );
    assert.doesNotMatch(emulated.reason, /\d{4,}/, 'durations in seconds, no wall-clock milliseconds');
    assert.equal(emulated.lastRenewalWallMs, 1000);
    const rebooted = fencedRecordOf('node1', 'ha-lrm', lastRun, { wallMs: 9000, bootId: 'bbbb', emulatedResetWallMs: undefined });
    assert.match(rebooted.reason, /rebooted \(watchdog reset or power loss\)/);
    const killed = fencedRecordOf('node1', 'ha-lrm', lastRun, { wallMs: 9000, bootId: 'aaaa', emulatedResetWallMs: undefined });
    assert.match(killed.reason, /died without leaving its watchdog/);
  });

  it('names what ended an emulated node that its watchdog did not reset (its BMC powered it off)', () => {
    const lastRun = lastRunOf([entry(1, 'start', 'boot aaaa'), entry(2, 'arm'), entry(1000, 'renew'), entry(4000, 'renew-failed', 'agent.node1 unavailable')]);
    const powered = fencedRecordOf('node1', 'ha-lrm', lastRun, { wallMs: 9000, bootId: 'aaaa', emulatedResetWallMs: 6000, emulatedResetCause: 'powered off by its BMC' });
    assert.match(powered.reason, /^ha-lrm of node1 was fenced: powered off by its BMC \(emulated\) 5\.0 s after its last lease renewal; /);
    assert.doesNotMatch(powered.reason, /watchdog/);
    const watchdog = fencedRecordOf('node1', 'ha-lrm', lastRun, { wallMs: 9000, bootId: 'aaaa', emulatedResetWallMs: 6000, emulatedResetCause: 'watchdog' });
    assert.match(watchdog.reason, /reset by its \(emulated\) watchdog 5\.0 s after/);
  });
});
