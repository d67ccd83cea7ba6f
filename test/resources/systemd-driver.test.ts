import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { executeRequest } from '../../src/resources/execute-request.ts';
import { OcfExit } from '../../src/resources/ocf-exit.ts';
import { SystemdDriver, unitOf } from '../../src/resources/systemd-driver.ts';
import { describeDriverContract } from './driver-contract.ts';
import { fakeToolState } from './fake-tools.ts';

const CALL = { timeoutMs: 10_000 };

describeDriverContract('systemd (fake systemctl)', () => {
  const state = fakeToolState('systemd');
  writeFileSync(join(state.dir, 'units', 'nginx.service'), 'inactive\n');
  return {
    driver: new SystemdDriver({ env: state.env }),
    sid: 'service:nginx',
    isRunning: () => readFileSync(join(state.dir, 'units', 'nginx.service'), 'utf8').trim() === 'active',
    commandCount: () => state.calls().length,
    hangStart: () => writeFileSync(join(state.dir, 'hang-start'), ''),
    cleanup: () => state.remove(),
  };
});

describe('SystemdDriver', () => {
  let state: ReturnType<typeof fakeToolState>;
  let driver: SystemdDriver;
  beforeEach(() => {
    state = fakeToolState('systemd');
    driver = new SystemdDriver({ env: state.env });
  });
  afterEach(() => state.remove());

  it('maps service sids to units, keeping an explicit unit suffix', () => {
    assert.equal(unitOf('service:nginx'), 'nginx.service');
    assert.equal(unitOf('service:getty@tty1'), 'getty@tty1.service');
    assert.equal(unitOf('service:docker.socket'), 'docker.socket');
    assert.equal(unitOf('vm:101'), undefined);
    assert.equal(unitOf('service:-now'), undefined);
  });

  it('passes the unit as one argument: systemctl start|stop|is-active <unit>', async () => {
    writeFileSync(join(state.dir, 'units', 'getty@tty1.service'), 'inactive\n');
    await driver.check('service:getty@tty1', CALL);
    await driver.start('service:getty@tty1', CALL);
    await driver.stop('service:getty@tty1', CALL);
    assert.deepEqual(state.calls(), [
      'systemctl [is-active] [getty@tty1.service]',
      'systemctl [start] [getty@tty1.service]',
      'systemctl [stop] [getty@tty1.service]',
    ]);
  });

  it('keeps systemctl\'s LSB exit code as the result: unit not found is exit 5 with exec done', async () => {
    const result = await driver.start('service:absent', CALL);
    assert.equal(result.exec, 'done');
    assert.equal(result.exit, OcfExit.notInstalled);
    assert.match(result.detail ?? '', /absent\.service not found/);
  });

  it('checks a failed unit as not running, so it can be started again', async () => {
    writeFileSync(join(state.dir, 'units', 'web.service'), 'inactive\n');
    writeFileSync(join(state.dir, 'fail-start-web.service'), '');
    const outcome = await executeRequest(driver, { sid: 'service:web', uid: 'u1', request: 'started' }, { configuredNode: 'n1', localNode: 'n1' });
    assert.equal(outcome.result, LrmResult.error);
    assert.equal(outcome.action, 'start');
    const check = await driver.check('service:web', CALL);
    assert.deepEqual([check.exec, check.exit, check.detail], ['done', OcfExit.notRunning, 'web.service is failed']);
  });

  it('treats a unit in transition as neither running nor stopped, so both start and stop are issued', async () => {
    writeFileSync(join(state.dir, 'units', 'db.service'), 'activating\n');
    const check = await driver.check('service:db', CALL);
    assert.deepEqual([check.exec, check.exit, check.detail], ['done', OcfExit.error, 'db.service is activating']);
    const stop = await executeRequest(driver, { sid: 'service:db', uid: 'u1', request: 'request_stop' }, { configuredNode: 'n1', localNode: 'n1' });
    assert.deepEqual(stop, { result: LrmResult.success, action: 'stop' });
    writeFileSync(join(state.dir, 'units', 'db.service'), 'deactivating\n');
    const start = await executeRequest(driver, { sid: 'service:db', uid: 'u2', request: 'started' }, { configuredNode: 'n1', localNode: 'n1' });
    assert.deepEqual(start, { result: LrmResult.success, action: 'start' });
  });

  it('answers not-installed when systemctl is not on PATH, which executeRequest reports as unknownServiceType', async () => {
    const bare = new SystemdDriver({ env: { PATH: '/nonexistent' } });
    const check = await bare.check('service:nginx', CALL);
    assert.deepEqual([check.exec, check.exit], ['not-installed', OcfExit.notInstalled]);
    const outcome = await executeRequest(bare, { sid: 'service:nginx', uid: 'u1', request: 'started' }, { configuredNode: 'n1', localNode: 'n1' });
    assert.equal(outcome.result, LrmResult.unknownServiceType);
  });

  it('cannot migrate online: executeRequest stops it and hands it to the target', async () => {
    writeFileSync(join(state.dir, 'units', 'nginx.service'), 'active\n');
    assert.equal(driver.canMigrateOnline('service:nginx'), false);
    const job = { sid: 'service:nginx', uid: 'u1', request: 'migrate', target: 'n2' };
    assert.deepEqual(await executeRequest(driver, job, { configuredNode: 'n1', localNode: 'n1' }), { result: LrmResult.success, action: 'relocate' });
    assert.equal(readFileSync(join(state.dir, 'units', 'nginx.service'), 'utf8').trim(), 'inactive');
  });
});
