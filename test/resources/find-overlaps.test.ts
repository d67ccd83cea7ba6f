import { strict as assert } from 'node:assert';
import { findOverlaps, serviceRuns } from '../../src/resources/find-overlaps.ts';
import type { LedgerEntry, NodeReset } from '../../src/resources/sim-ledger.ts';

function entry(wallMs: number, node: string, event: LedgerEntry['event'], pid: number, sid = 'vm:101'): LedgerEntry {
  return { wallMs, node, sid, event, pid };
}

describe('findOverlaps', () => {
  it('finds nothing when each run stops before the next one starts, even at the same instant', () => {
    const ledger = [entry(100, 'n1', 'start', 11), entry(200, 'n1', 'stop', 11), entry(200, 'n2', 'start', 21), entry(300, 'n2', 'stop', 21)];
    assert.deepEqual(findOverlaps(ledger, []), []);
  });

  it('finds a service started on a second node before the first stopped, with the interval', () => {
    const ledger = [entry(100, 'n1', 'start', 11), entry(150, 'n2', 'start', 21), entry(200, 'n1', 'stop', 11), entry(300, 'n2', 'stop', 21)];
    assert.deepEqual(findOverlaps(ledger, []), [{ sid: 'vm:101', nodeA: 'n1', nodeB: 'n2', fromMs: 150, toMs: 200 }]);
  });

  it('ends a run killed without a stop line at its node\'s reset: recovery after the reset is no overlap', () => {
    const ledger = [entry(100, 'n1', 'start', 11), entry(400, 'n2', 'start', 21)];
    const resets: NodeReset[] = [{ node: 'n1', wallMs: 350, reason: 'watchdog' }];
    assert.deepEqual(findOverlaps(ledger, resets), []);
    assert.deepEqual(serviceRuns(ledger, resets)[0], { sid: 'vm:101', node: 'n1', pid: 11, fromMs: 100, toMs: 350, endedBy: 'reset' });
  });

  it('without a reset record the killed run never ends, so the start elsewhere is an overlap', () => {
    const ledger = [entry(100, 'n1', 'start', 11), entry(400, 'n2', 'start', 21)];
    assert.deepEqual(findOverlaps(ledger, []), [{ sid: 'vm:101', nodeA: 'n1', nodeB: 'n2', fromMs: 400, toMs: Infinity }]);
  });

  it('ignores a reset of another node, and a reset of the right node that came only after the second start', () => {
    const ledger = [entry(100, 'n1', 'start', 11), entry(400, 'n2', 'start', 21)];
    const resets: NodeReset[] = [
      { node: 'n3', wallMs: 200, reason: 'watchdog' },
      { node: 'n1', wallMs: 450, reason: 'watchdog' },
    ];
    assert.deepEqual(findOverlaps(ledger, resets), [{ sid: 'vm:101', nodeA: 'n1', nodeB: 'n2', fromMs: 400, toMs: 450 }]);
  });

  it('does not let a reset before a run\'s start end it', () => {
    const ledger = [entry(100, 'n1', 'start', 11), entry(200, 'n2', 'start', 21), entry(300, 'n2', 'stop', 21)];
    assert.deepEqual(findOverlaps(ledger, [{ node: 'n1', wallMs: 50, reason: 'watchdog' }]), [
      { sid: 'vm:101', nodeA: 'n1', nodeB: 'n2', fromMs: 200, toMs: 300 },
    ]);
  });

  it('ends a run at a crash line, and at the next start of the same service on the same node', () => {
    const ledger = [
      entry(100, 'n1', 'start', 11),
      entry(150, 'n1', 'crash', 11),
      entry(160, 'n2', 'start', 21),
      entry(170, 'n2', 'start', 22),
      entry(180, 'n3', 'start', 31),
    ];
    const runs = serviceRuns(ledger, []);
    assert.deepEqual(runs.map((run) => [run.node, run.pid, run.toMs, run.endedBy]), [
      ['n1', 11, 150, 'crash'],
      ['n2', 21, 170, 'restart'],
      ['n2', 22, Infinity, 'none'],
      ['n3', 31, Infinity, 'none'],
    ]);
    assert.deepEqual(findOverlaps(ledger, []), [{ sid: 'vm:101', nodeA: 'n2', nodeB: 'n3', fromMs: 180, toMs: Infinity }]);
  });

  it('matches stop lines by pid, keeps services apart, and accepts the ledger in any order', () => {
    const ledger = [
      entry(300, 'n1', 'stop', 11, 'ct:200'),
      entry(100, 'n1', 'start', 11, 'ct:200'),
      entry(120, 'n2', 'start', 21, 'vm:101'),
      entry(130, 'n1', 'start', 12, 'vm:101'),
      entry(140, 'n1', 'stop', 12, 'vm:101'),
      entry(200, 'n2', 'start', 22, 'ct:200'),
    ];
    assert.deepEqual(findOverlaps(ledger, []), [
      { sid: 'vm:101', nodeA: 'n2', nodeB: 'n1', fromMs: 130, toMs: 140 },
      { sid: 'ct:200', nodeA: 'n1', nodeB: 'n2', fromMs: 200, toMs: 300 },
    ]);
  });
});
