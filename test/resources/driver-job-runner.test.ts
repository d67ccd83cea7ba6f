import { strict as assert } from 'node:assert';
import { LrmResult } from '../../src/common/lrm-result.ts';
import type { LrmJob } from '../../src/env/env.ts';
import { DriverJobRunner } from '../../src/resources/driver-job-runner.ts';
import { DriverRegistry } from '../../src/resources/driver-registry.ts';
import type { RequestOutcome } from '../../src/resources/execute-request.ts';
import { OcfExit } from '../../src/resources/ocf-exit.ts';
import type { DriverResult, ResourceDriver } from '../../src/resources/resource-driver.ts';

/** A driver whose starts finish only when the test releases them. */
class GatedDriver implements ResourceDriver {
  readonly name = 'gated';
  readonly running = new Set<string>();
  private readonly gates = new Map<string, () => void>();

  canMigrateOnline(): boolean {
    return false;
  }
  usageSource(): undefined {
    return undefined;
  }
  async check(sid: string): Promise<DriverResult> {
    return { exec: 'done', exit: this.running.has(sid) ? OcfExit.success : OcfExit.notRunning };
  }
  async start(sid: string): Promise<DriverResult> {
    await new Promise<void>((resolve) => this.gates.set(sid, resolve));
    this.running.add(sid);
    return { exec: 'done', exit: OcfExit.success };
  }
  async stop(sid: string): Promise<DriverResult> {
    this.running.delete(sid);
    return { exec: 'done', exit: OcfExit.success };
  }
  async migrate(): Promise<DriverResult> {
    return { exec: 'done', exit: OcfExit.unimplemented };
  }
  async relocate(): Promise<DriverResult> {
    return { exec: 'done', exit: OcfExit.success };
  }
  async release(sid: string): Promise<void> {
    while (!this.gates.has(sid)) await new Promise((resolve) => setImmediate(resolve));
    this.gates.get(sid)!();
    this.gates.delete(sid);
  }
}

describe('DriverJobRunner', () => {
  let driver: GatedDriver;
  let outcomes: Array<[string, RequestOutcome]>;
  let runner: DriverJobRunner;
  const configured: Record<string, string> = { 'vm:1': 'n1', 'vm:2': 'n1', 'vm:3': 'n2' };
  beforeEach(() => {
    driver = new GatedDriver();
    outcomes = [];
    runner = new DriverJobRunner({
      node: 'n1',
      registry: new DriverRegistry({ vm: driver }),
      configuredNodeOf: (sid) => configured[sid],
      onOutcome: (job, outcome) => outcomes.push([job.sid, outcome]),
    });
  });

  it('runs jobs in the background and hands out each result once, in the order they finished', async () => {
    const job = (sid: string, request = 'started'): LrmJob => ({ sid, uid: `u-${sid}`, request });
    runner.start(job('vm:1'));
    runner.start(job('vm:2'));
    runner.start(job('vm:3'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(runner.takeFinished(), [{ sid: 'vm:3', uid: 'u-vm:3', request: 'started', result: LrmResult.wrongNode, reason: 'wrong node', runningHere: false }], 'a failure carries its reason, wrong node what it found');
    assert.equal(runner.runningCount(), 2);
    await driver.release('vm:2');
    await driver.release('vm:1');
    await runner.whenIdle();
    assert.deepEqual(runner.takeFinished().map((result) => result.sid), ['vm:2', 'vm:1']);
    assert.deepEqual(runner.takeFinished(), []);
    assert.deepEqual(outcomes.map(([sid, outcome]) => [sid, outcome.action]), [['vm:3', 'none'], ['vm:2', 'start'], ['vm:1', 'start']]);
  });

  it('refuses a second job for a sid whose job still runs', async () => {
    runner.start({ sid: 'vm:1', uid: 'u1', request: 'started' });
    assert.throws(() => runner.start({ sid: 'vm:1', uid: 'u2', request: 'stopped' }), /Bad argument job: vm:1 already has a job running/);
    await driver.release('vm:1');
    await runner.whenIdle();
    runner.start({ sid: 'vm:1', uid: 'u2', request: 'stopped' });
    await runner.whenIdle();
    assert.deepEqual(runner.takeFinished().map((result) => result.uid), ['u1', 'u2']);
  });

  it('tells the environment where a relocated service now belongs, before the result can be taken', async () => {
    driver.running.add('vm:2');
    let isResultVisibleAtOutcome = true;
    const moving = new DriverJobRunner({
      node: 'n1',
      registry: new DriverRegistry({ vm: driver }),
      configuredNodeOf: (sid) => configured[sid],
      onOutcome: (_job, outcome) => {
        isResultVisibleAtOutcome = moving.takeFinished().length > 0;
        outcomes.push(['vm:2', outcome]);
      },
    });
    moving.start({ sid: 'vm:2', uid: 'u1', request: 'relocate', target: 'n2' });
    await moving.whenIdle();
    assert.equal(isResultVisibleAtOutcome, false);
    assert.deepEqual(outcomes, [['vm:2', { result: LrmResult.success, action: 'relocate' }]]);
    assert.deepEqual(moving.takeFinished(), [{ sid: 'vm:2', uid: 'u1', request: 'relocate', result: LrmResult.success }]);
  });
});
