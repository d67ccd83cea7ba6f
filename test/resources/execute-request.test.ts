import { strict as assert } from 'node:assert';
import { LrmResult } from '../../src/common/lrm-result.ts';
import type { LrmJob } from '../../src/env/env.ts';
import { executeRequest, executeRequestSync, type ExecuteOptions, type RequestOutcome } from '../../src/resources/execute-request.ts';
import { OcfExit, type OcfExit as OcfExitCode } from '../../src/resources/ocf-exit.ts';
import { DEFAULT_DRIVER_TIMEOUTS, type CallOptions, type DriverResult, type MoveOptions, type SyncResourceDriver } from '../../src/resources/resource-driver.ts';
import { asyncDriver } from './async-driver.ts';

type Method = 'check' | 'start' | 'stop' | 'migrate' | 'relocate';

/** A driver over an in-memory world, recording every call; answers can be overridden per method. */
class WorldDriver implements SyncResourceDriver {
  readonly name = 'world';
  readonly calls: Array<{ method: Method; sid: string; timeoutMs: number; target?: string }> = [];
  readonly answers: Partial<Record<Method, DriverResult>> = {};
  isRunning = false;
  isOnlineCapable = true;
  /** Start reports success without starting (a service that dies at once). */
  isStartHollow = false;

  canMigrateOnline(_sid: string): boolean {
    return this.isOnlineCapable;
  }

  check(sid: string, options: CallOptions): DriverResult {
    return this.answer('check', sid, options, () => (this.isRunning ? OcfExit.success : OcfExit.notRunning));
  }

  start(sid: string, options: CallOptions): DriverResult {
    return this.answer('start', sid, options, () => ((this.isRunning = !this.isStartHollow), OcfExit.success));
  }

  stop(sid: string, options: CallOptions): DriverResult {
    return this.answer('stop', sid, options, () => ((this.isRunning = false), OcfExit.success));
  }

  migrate(sid: string, options: MoveOptions): DriverResult {
    return this.answer('migrate', sid, options, () => ((this.isRunning = false), OcfExit.success));
  }

  relocate(sid: string, options: MoveOptions): DriverResult {
    return this.answer('relocate', sid, options, () => OcfExit.success);
  }

  methods(): string[] {
    return this.calls.map((call) => call.method);
  }

  private answer(method: Method, sid: string, options: CallOptions | MoveOptions, act: () => OcfExitCode): DriverResult {
    this.calls.push({ method, sid, timeoutMs: options.timeoutMs, ...('target' in options ? { target: options.target } : {}) });
    return this.answers[method] ?? { exec: 'done', exit: act() };
  }
}

const job = (request: string, extra: { target?: string; timeoutS?: number; sid?: string } = {}) => ({ sid: 'vm:101', uid: 'u1', request, ...extra });

type Run = (driver: WorldDriver, job: LrmJob, options: ExecuteOptions) => Promise<RequestOutcome>;

/** The request core through both runners: the daemons' (awaiting each call) and the simulator's (at once). */
const RUNNERS: Record<string, Run> = {
  executeRequest: (driver, job, options) => executeRequest(asyncDriver(driver), job, options),
  executeRequestSync: async (driver, job, options) => executeRequestSync(driver, job, options),
};

for (const [runnerName, run] of Object.entries(RUNNERS)) {
  describe(`request semantics through ${runnerName}`, () => {
    let driver: WorldDriver;
    beforeEach(() => {
      driver = new WorldDriver();
    });
    const executeRequest = (target: WorldDriver, job: LrmJob, options: ExecuteOptions) => run(target, job, options);

    it('answers unknownService, error and a bad sid before calling the driver', async () => {
      assert.equal((await executeRequest(driver, job('started'), { configuredNode: undefined, localNode: 'n1' })).result, LrmResult.unknownService);
      assert.deepEqual(await executeRequest(driver, job('error'), { configuredNode: 'n2', localNode: 'n1' }), { result: LrmResult.success, action: 'none' });
      assert.equal((await executeRequest(driver, job('started', { sid: 'vm:1 x' }), { configuredNode: 'n1', localNode: 'n1' })).result, LrmResult.invalidParameter);
      assert.equal((await executeRequest(driver, job('reboot'), { configuredNode: 'n1', localNode: 'n1' })).result, LrmResult.invalidParameter);
      assert.deepEqual(driver.calls, []);
    });

    it('wrongNode: does nothing but look whether the service runs here, and says what it found', async () => {
      const elsewhere = { configuredNode: 'n2', localNode: 'n1' };
      const wrongNode = { result: LrmResult.wrongNode, action: 'none', reason: 'wrong node' };
      for (const request of ['started', 'request_stop', 'stopped', 'migrate', 'relocate']) {
        assert.deepEqual(await executeRequest(driver, job(request, { target: 'n3' }), elsewhere), { ...wrongNode, runningHere: false }, request);
      }
      driver.isRunning = true;
      assert.deepEqual(await executeRequest(driver, job('started'), elsewhere), { ...wrongNode, runningHere: true });
      assert.deepEqual(driver.methods(), ['check', 'check', 'check', 'check', 'check', 'check'], 'only looks');
      driver.answers.check = { exec: 'timeout', exit: OcfExit.error, detail: 'check timed out' };
      assert.deepEqual(await executeRequest(driver, job('started'), elsewhere), wrongNode, 'a failed look says nothing');
      driver.answers.check = { exec: 'done', exit: OcfExit.error, detail: 'broken' };
      assert.deepEqual(await executeRequest(driver, job('started'), elsewhere), wrongNode, 'nor does an answer that is neither running nor stopped');
      assert.equal(driver.isRunning, true);
    });

    it('started: a running service is left alone; a stopped one is started and checked', async () => {
      driver.isRunning = true;
      assert.deepEqual(await executeRequest(driver, job('started'), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'none' });
      assert.deepEqual(driver.methods(), ['check']);
      driver.isRunning = false;
      assert.deepEqual(await executeRequest(driver, job('started'), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'start' });
      assert.deepEqual(driver.methods(), ['check', 'check', 'start', 'check']);
      assert.deepEqual(driver.calls.map((call) => call.timeoutMs), [30_000, 30_000, 120_000, 30_000]);
    });

    it('started: an error when the start fails, or the service is not running after it', async () => {
      driver.answers.start = { exec: 'done', exit: OcfExit.error, detail: 'boom' };
      assert.deepEqual(await executeRequest(driver, job('started'), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.error, action: 'start', reason: 'boom' });
      delete driver.answers.start;
      driver.isStartHollow = true;
      const hollow = await executeRequest(driver, job('started'), { configuredNode: 'n1', localNode: 'n1' });
      assert.equal(hollow.result, LrmResult.error);
      assert.match(hollow.reason ?? '', /^not running after start/);
    });

    it('reports a check that timed out as an error, and a missing driver tool as unknownServiceType', async () => {
      driver.answers.check = { exec: 'timeout', exit: OcfExit.error, detail: 'virsh timed out' };
      assert.deepEqual(await executeRequest(driver, job('started'), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.error, action: 'start', reason: 'virsh timed out' });
      driver.answers.check = { exec: 'not-installed', exit: OcfExit.notInstalled, detail: 'no virsh' };
      assert.equal((await executeRequest(driver, job('request_stop'), { configuredNode: 'n1', localNode: 'n1' })).result, LrmResult.unknownServiceType);
      assert.deepEqual(driver.methods(), ['check', 'check']);
    });

    for (const request of ['request_stop', 'stopped']) {
      it(`${request}: stops a running service within the request's timeout; a stopped one is left alone`, async () => {
        driver.isRunning = true;
        assert.deepEqual(await executeRequest(driver, job(request, { timeoutS: 30 }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'stop' });
        assert.equal(driver.calls.find((call) => call.method === 'stop')?.timeoutMs, 30_000);
        assert.deepEqual(await executeRequest(driver, job(request), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'none' });
        assert.deepEqual(driver.methods(), ['check', 'stop', 'check', 'check']);
      });
    }

    it('stop: a timeout of 0 still gives the driver a second; a failed check is stopped too; a failing stop is an error', async () => {
      driver.isRunning = true;
      await executeRequest(driver, job('request_stop', { timeoutS: 0 }), { configuredNode: 'n1', localNode: 'n1' });
      assert.equal(driver.calls[1]?.timeoutMs, 1_000);
      driver.answers.check = { exec: 'done', exit: OcfExit.error, detail: 'failed' };
      driver.answers.stop = { exec: 'timeout', exit: OcfExit.error, detail: 'still running' };
      assert.deepEqual(await executeRequest(driver, job('stopped'), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.error, action: 'stop', reason: 'still running' });
    });

    it('migrate/relocate/balance to the configured node is a success with nothing done; without a target invalid', async () => {
      for (const request of ['migrate', 'relocate', 'request_start_balance']) {
        assert.deepEqual(await executeRequest(driver, job(request, { target: 'n1' }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'none' });
        assert.equal((await executeRequest(driver, job(request), { configuredNode: 'n1', localNode: 'n1' })).result, LrmResult.invalidParameter);
      }
      assert.deepEqual(driver.calls, []);
    });

    it('migrate of a running service with an online-capable driver is a live migration', async () => {
      driver.isRunning = true;
      assert.deepEqual(await executeRequest(driver, job('migrate', { target: 'n2' }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'migrate' });
      assert.deepEqual(driver.calls.map((call) => [call.method, call.target, call.timeoutMs]), [['check', undefined, 30_000], ['migrate', 'n2', 600_000]]);
    });

    it('migrate without online capability, and relocate, stop a running service and relocate it', async () => {
      driver.isOnlineCapable = false;
      driver.isRunning = true;
      assert.deepEqual(await executeRequest(driver, job('migrate', { target: 'n2' }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'relocate' });
      driver.isOnlineCapable = true;
      driver.isRunning = true;
      assert.deepEqual(await executeRequest(driver, job('relocate', { target: 'n3' }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'relocate' });
      assert.deepEqual(driver.methods(), ['check', 'stop', 'check', 'relocate', 'check', 'stop', 'check', 'relocate']);
    });

    it('a stopped service migrates offline, without a stop', async () => {
      assert.deepEqual(await executeRequest(driver, job('migrate', { target: 'n2' }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'relocate' });
      assert.deepEqual(driver.methods(), ['check', 'relocate']);
    });

    it('request_start_balance: ignored for a running service, a move for a stopped one', async () => {
      driver.isRunning = true;
      assert.deepEqual(await executeRequest(driver, job('request_start_balance', { target: 'n2' }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.ignored, action: 'rebalance' });
      driver.isRunning = false;
      assert.deepEqual(await executeRequest(driver, job('request_start_balance', { target: 'n2' }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'relocate' });
      assert.deepEqual(driver.methods(), ['check', 'check', 'relocate']);
    });

    it('does not move a service whose stop or migration failed', async () => {
      driver.isRunning = true;
      driver.answers.migrate = { exec: 'done', exit: OcfExit.error, detail: 'migration failed' };
      assert.deepEqual(await executeRequest(driver, job('migrate', { target: 'n2' }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.error, action: 'migrate', reason: 'migration failed' });
      driver.answers.stop = { exec: 'done', exit: OcfExit.error, detail: 'stop failed' };
      assert.deepEqual(await executeRequest(driver, job('relocate', { target: 'n2' }), { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.error, action: 'relocate', reason: 'stop failed' });
      assert.equal(driver.methods().includes('relocate'), false);
    });

    it('uses the timeouts it is given', async () => {
      const timeouts = { ...DEFAULT_DRIVER_TIMEOUTS, checkMs: 5, startMs: 6 };
      await executeRequest(driver, job('started'), { configuredNode: 'n1', localNode: 'n1', timeouts });
      assert.deepEqual(driver.calls.map((call) => call.timeoutMs), [5, 6, 5]);
    });
  });
}
