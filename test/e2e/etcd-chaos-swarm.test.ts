import { strict as assert } from 'node:assert';
import { existsSync, rmSync } from 'node:fs';
import { processesUnder } from '../../src/cluster/host-processes.ts';
import { explain, runSwarm } from '../chaos/swarm-run.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';

/** The short run's bound, as the dir store's (test/chaos/cluster-swarm.test.ts), plus the etcd start. */
const SHORT_RUN_MS_MAX = 200_000;
const TEST_TIMEOUT_MS = SHORT_RUN_MS_MAX + 60_000;

describe('chaos:cluster --store etcd: the swarm on the cluster\'s own etcd', function () {
  this.timeout(TEST_TIMEOUT_MS);
  before(function () {
    skipWithoutEtcd(this, 'the swarm on etcd');
  });

  it('a short run (75 s of node faults and faults of etcd) ends with 0 violations, etcd faults applied, nothing left running', async () => {
    const run = await runSwarm(['--store', 'etcd', '--seed', '5', '--minutes', '1.25', '--faults', 'all']);
    assert.equal(run.lines[0], 'seed 5', explain(run));
    assert.ok(run.lines.some((line) => line.startsWith('store: a 3-member etcd on 127.0.0.1')), explain(run));
    const summary = /^(\d+) faults, (\d+) violations$/.exec(run.lines.at(-1) ?? '');
    assert.ok(summary, `the last line is the summary: ${explain(run)}`);
    assert.equal(summary[2], '0', explain(run));
    assert.ok(run.lines.some((line) => /fault \d+: (kill -9 etcd member|kill -9 the etcd leader|SIGSTOP etcd member|kill -9 an etcd majority)/.test(line) && !line.includes('skipped')), `an etcd fault was applied: ${explain(run)}`);
    assert.equal(run.code, 0, explain(run));
    assert.ok(run.folder !== '' && !existsSync(run.folder), `the cluster folder ${run.folder} is removed`);
    assert.deepEqual(processesUnder(run.folder), [], 'no process of the cluster is left, etcd members included');
  });

  it('catches a planted bug: with watchdogs that never fire, a node cut from etcd keeps running what the master recovers elsewhere', async () => {
    const run = await runSwarm(['--store', 'etcd', '--seed', '12', '--minutes', '1', '--faults', 'cut', '--plant', 'silent-watchdog', '--fail-fast']);
    try {
      assert.equal(run.code, 1, explain(run));
      assert.ok(run.lines.some((line) => /VIOLATION \(overlap\) \S+ ran on node\d and node\d at once/.test(line)), explain(run));
      assert.match(run.lines.at(-1) ?? '', /^\d+ faults, [1-9]\d* violations$/);
      assert.ok(existsSync(run.folder), 'the folder is kept for inspection');
      assert.deepEqual(processesUnder(run.folder), [], 'no process of the cluster is left, even after a violation');
    } finally {
      if (run.folder !== '') rmSync(run.folder, { recursive: true, force: true });
    }
  });
});
