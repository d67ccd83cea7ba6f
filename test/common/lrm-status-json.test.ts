import { strict as assert } from 'node:assert';
import { lrmStatusToJson, parseLrmStatusJson } from '../../src/common/lrm-status-json.ts';
import type { LrmStatus } from '../../src/common/lrm-status.ts';

describe('LRM status JSON: the measured load', () => {
  it('round-trips the node capacity and the loads of its services', () => {
    const status: LrmStatus = {
      state: 'active',
      mode: 'active',
      results: new Map(),
      timestampMs: 5,
      stats: { maxCpu: 16, maxMemBytes: 64e9, services: new Map([['vm:100', { cpu: 1.5, memBytes: 2e9 }]]) },
    };
    const json = JSON.parse(JSON.stringify(lrmStatusToJson(status)));
    assert.deepEqual(json.stats, { maxcpu: 16, maxmem: 64e9, services: { 'vm:100': { cpu: 1.5, mem: 2e9 } } });
    assert.deepEqual(parseLrmStatusJson(json, 'f').stats, status.stats);
  });

  it('reads a status without stats (an older LRM) or with torn ones as unmeasured, and drops a bad service entry', () => {
    const base = { state: 'active', mode: 'active', results: {}, timestamp: 1 };
    assert.equal(parseLrmStatusJson(base, 'f').stats, undefined);
    assert.equal(parseLrmStatusJson({ ...base, stats: { maxcpu: 'x', maxmem: 1, services: {} } }, 'f').stats, undefined);
    const stats = parseLrmStatusJson({ ...base, stats: { maxcpu: 4, maxmem: 8, services: { 'vm:1': { cpu: -1, mem: 2 }, 'vm:2': { cpu: 1, mem: 2 } } } }, 'f').stats!;
    assert.deepEqual([...stats.services.keys()], ['vm:2']);
  });
});

describe('LRM status JSON: results', () => {
  it("round-trips a failure's reason and what a wrong-node answer found; an older LRM's result has neither", () => {
    const results = new Map([
      ['u1', { sid: 'vm:1', request: 'started', result: 3 as const, reason: 'wrong node', runningHere: false }],
      ['u2', { sid: 'vm:2', request: 'started', result: 3 as const, reason: 'wrong node', runningHere: true }],
      ['u3', { sid: 'vm:3', request: 'started', result: 0 as const }],
    ]);
    const json = JSON.parse(JSON.stringify(lrmStatusToJson({ state: 'active', mode: 'active', results, timestampMs: 1 })));
    assert.deepEqual(json.results.u1, { sid: 'vm:1', state: 'started', exit_code: 3, reason: 'wrong node', running_here: false });
    assert.deepEqual(parseLrmStatusJson(json, 'f').results, results);
    const older = parseLrmStatusJson({ state: 'active', results: { u4: { sid: 'vm:4', state: 'started', exit_code: 3, running_here: 'no' } } }, 'f');
    assert.deepEqual(older.results.get('u4'), { sid: 'vm:4', request: 'started', result: 3 });
  });
});
