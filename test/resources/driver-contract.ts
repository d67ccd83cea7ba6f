import { strict as assert } from 'node:assert';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { executeRequest } from '../../src/resources/execute-request.ts';
import { OcfExit } from '../../src/resources/ocf-exit.ts';
import type { ResourceDriver } from '../../src/resources/resource-driver.ts';

/** What the shared driver suite needs from one implementation, set up on fresh state. */
export interface DriverHarness {
  readonly driver: ResourceDriver;
  /** A configured service that is stopped. */
  readonly sid: string;
  /** Ground truth, read without the driver: is the service running on this node? */
  isRunning(): boolean;
  /** How many commands (tool or agent runs, service processes) the driver has started so far. */
  commandCount(): number;
  /** Makes every later start hang until killed. */
  hangStart(): void;
  cleanup(): Promise<void> | void;
}

const CALL = { timeoutMs: 10_000 };

/**
 * The ResourceDriver contract (src/resources/resource-driver.ts), run against every implementation:
 * idempotent start and stop, checks that agree with the world, validated sids that reach no
 * command, time-outs as results.
 */
export function describeDriverContract(name: string, setup: () => DriverHarness | Promise<DriverHarness>): void {
  describe(`ResourceDriver contract: ${name}`, () => {
    let harness: DriverHarness;
    beforeEach(async () => {
      harness = await setup();
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('checks a stopped service as not running', async () => {
      const check = await harness.driver.check(harness.sid, CALL);
      assert.deepEqual([check.exec, check.exit], ['done', OcfExit.notRunning]);
      assert.equal(harness.isRunning(), false);
    });

    it('starts, checks running, and a second start also succeeds', async () => {
      assert.equal((await harness.driver.start(harness.sid, CALL)).exit, OcfExit.success);
      assert.equal(harness.isRunning(), true);
      const check = await harness.driver.check(harness.sid, CALL);
      assert.deepEqual([check.exec, check.exit], ['done', OcfExit.success]);
      const again = await harness.driver.start(harness.sid, CALL);
      assert.deepEqual([again.exec, again.exit], ['done', OcfExit.success]);
      assert.equal(harness.isRunning(), true);
    });

    it('stops, checks not running, and a second stop also succeeds', async () => {
      await harness.driver.start(harness.sid, CALL);
      const stopped = await harness.driver.stop(harness.sid, CALL);
      assert.deepEqual([stopped.exec, stopped.exit], ['done', OcfExit.success]);
      assert.equal(harness.isRunning(), false);
      assert.equal((await harness.driver.check(harness.sid, CALL)).exit, OcfExit.notRunning);
      assert.equal((await harness.driver.stop(harness.sid, CALL)).exit, OcfExit.success);
    });

    it('refuses a malformed sid before running any command', async () => {
      const before = harness.commandCount();
      for (const bad of ['vm:101; rm -rf /', '$(touch pwned)', 'service:-x', '']) {
        const result = await harness.driver.start(bad, CALL);
        assert.equal(result.exec, 'done', bad);
        assert.notEqual(result.exit, OcfExit.success, bad);
        assert.match(result.detail ?? '', /sid|spec|configured/i, bad);
      }
      assert.equal(harness.commandCount(), before);
    });

    it('reports a start that outlives its time-out as exec timeout, within the budget', async () => {
      harness.hangStart();
      const startedMs = Date.now();
      const result = await harness.driver.start(harness.sid, { timeoutMs: 600 });
      const tookMs = Date.now() - startedMs;
      assert.equal(result.exec, 'timeout');
      assert.equal(result.exit, OcfExit.error);
      assert.ok(tookMs < 600 + 600, `took ${tookMs} ms for a 600 ms budget`); // slack for a busy machine
    });

    it('relocates a running service: stopped here, reported done (the master records where it is)', async () => {
      await harness.driver.start(harness.sid, CALL);
      const job = { sid: harness.sid, uid: 'u1', request: 'relocate', target: 'node2' };
      assert.deepEqual(await executeRequest(harness.driver, job, { configuredNode: 'node1', localNode: 'node1' }), { result: LrmResult.success, action: 'relocate' });
      assert.equal(harness.isRunning(), false);
    });

    it('runs the started request through executeRequest: start, then nothing to do', async () => {
      const job = { sid: harness.sid, uid: 'u1', request: 'started' };
      assert.deepEqual(await executeRequest(harness.driver, job, { configuredNode: 'node1', localNode: 'node1' }), { result: LrmResult.success, action: 'start' });
      assert.deepEqual(await executeRequest(harness.driver, job, { configuredNode: 'node1', localNode: 'node1' }), { result: LrmResult.success, action: 'none' });
      const stop = { sid: harness.sid, uid: 'u2', request: 'request_stop', timeoutS: 5 };
      assert.deepEqual(await executeRequest(harness.driver, stop, { configuredNode: 'node1', localNode: 'node1' }), { result: LrmResult.success, action: 'stop' });
      assert.equal(harness.isRunning(), false);
    });
  });
}

