import { strict as assert } from 'node:assert';
import { existsSync, rmSync } from 'node:fs';
import { processesUnder } from '../../src/cluster/host-processes.ts';
import { explain, runSwarm } from './swarm-run.ts';

/** The README's promise for the short run: at most three minutes, start and settle included. */
const SHORT_RUN_MS_MAX = 180_000;
/** Mocha's limit: the run's own bound plus room for a loaded machine to stop everything. */
const TEST_TIMEOUT_MS = SHORT_RUN_MS_MAX + 60_000;

describe('chaos:cluster: a seeded fault swarm against a local cluster of real processes', function () {
  this.timeout(TEST_TIMEOUT_MS);

  it('a short run (75 s of faults of every kind) ends with 0 violations, nothing left running, its folder removed', async () => {
    const run = await runSwarm(['--seed', '5', '--minutes', '1.25', '--faults', 'all']);
    assert.equal(run.lines[0], 'seed 5', explain(run));
    const summary = /^(\d+) faults, (\d+) violations$/.exec(run.lines.at(-1) ?? '');
    assert.ok(summary, `the last line is the summary: ${explain(run)}`);
    assert.equal(summary[2], '0', explain(run));
    assert.ok(Number(summary[1]) >= 5, `some faults were applied: ${explain(run)}`);
    assert.equal(run.code, 0, explain(run));
    assert.ok(run.folder !== '' && !existsSync(run.folder), `the cluster folder ${run.folder} is removed`);
    assert.deepEqual(processesUnder(run.folder), [], 'no process of the cluster is left');
    assert.ok(run.wallMs <= SHORT_RUN_MS_MAX + 30_000, `the short run took ${(run.wallMs / 1000).toFixed(0)} s`);
  });

  it('catches a planted bug: with watchdogs that never fire, a node cut off keeps running what the master recovers elsewhere', async () => {
    const run = await runSwarm(['--seed', '12', '--minutes', '1', '--faults', 'cut', '--plant', 'silent-watchdog', '--fail-fast']);
    try {
      assert.equal(run.code, 1, explain(run));
      assert.ok(run.lines.some((line) => /VIOLATION \(overlap\) \S+ ran on node\d and node\d at once/.test(line)), explain(run));
      assert.match(run.lines.at(-1) ?? '', /^\d+ faults, [1-9]\d* violations$/);
      assert.ok(run.lines.some((line) => line.startsWith(`cluster folder kept for inspection: ${run.folder}`)), explain(run));
      assert.ok(existsSync(run.folder), 'the folder is kept for inspection');
      assert.deepEqual(processesUnder(run.folder), [], 'no process of the cluster is left, even after a violation');
    } finally {
      if (run.folder !== '') rmSync(run.folder, { recursive: true, force: true });
    }
  });
});
