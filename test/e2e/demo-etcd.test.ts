import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN_DIR } from '../../src/cluster/cluster-process.ts';
import type { DemoSummary } from '../../src/cluster/demo-run.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';

/** The demo with the fast profile takes about a minute and a half on a loaded 2-core machine. */
const DEMO_MS_MAX = 240_000;

function demo(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(BIN_DIR, 'ha-manager'), 'demo', ...args], { encoding: 'utf8', timeout: DEMO_MS_MAX });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('e2e: ha-manager demo --store etcd (its own 3-member etcd, a node cut through its proxies)', function () {
  this.timeout(DEMO_MS_MAX + 30_000);

  it('refuses a real etcd\'s endpoints, in one line', () => {
    const result = demo(['--store', 'etcd', '--endpoints', 'http://127.0.0.1:2379']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^ha-manager: demo takes no --endpoints: with --store etcd it starts its own 3-member etcd .*; drop --endpoints\n$/);
    assert.equal(result.stdout, '');
  });

  it('--json: a recovery, 0 overlaps, nothing left behind, the store named', function () {
    skipWithoutEtcd(this, 'demo --store etcd');
    const result = demo(['--store', 'etcd', '--json']);
    const summary = JSON.parse(result.stdout) as DemoSummary;
    const explain = `${result.stdout}\n${result.stderr}`;
    assert.equal(result.status, 0, explain);
    assert.equal(summary.ok, true, explain);
    assert.equal(summary.store, 'etcd');
    assert.ok(summary.recoveries.length >= 1 && summary.recoveries.every((recovery) => recovery.from === summary.cutNode && recovery.to !== summary.cutNode), explain);
    assert.equal(summary.overlaps, 0);
    assert.equal(summary.leftoverProcesses, 0);
    assert.ok(summary.fencedAfterMs > 0 && summary.leaseTakenAfterMs > summary.fencedAfterMs, `reset, then the lease taken: ${explain}`);
    assert.match(summary.story[0]?.text ?? '', new RegExp(`^${summary.cutNode} is cut from etcd`));
    assert.match(summary.fencedRecord ?? '', /reset by its \(emulated\) watchdog.*renew-failed: agent\.node\d/);
  });
});
