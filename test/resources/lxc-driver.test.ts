import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { executeRequest } from '../../src/resources/execute-request.ts';
import { containerOf, LxcDriver } from '../../src/resources/lxc-driver.ts';
import { OcfExit } from '../../src/resources/ocf-exit.ts';
import { describeDriverContract } from './driver-contract.ts';
import { fakeToolState } from './fake-tools.ts';

const CALL = { timeoutMs: 10_000 };

function lxcSetup() {
  const state = fakeToolState('lxc');
  mkdirSync(join(state.dir, 'containers'));
  writeFileSync(join(state.dir, 'containers', '101'), 'STOPPED\n');
  const driver = new LxcDriver({ env: state.env });
  const containerState = (name: string) => {
    const path = join(state.dir, 'containers', name);
    return existsSync(path) ? readFileSync(path, 'utf8').trim() : 'absent';
  };
  const flag = (name: string) => writeFileSync(join(state.dir, name), '');
  return { state, driver, containerState, flag };
}

describeDriverContract('lxc (fake lxc tools)', () => {
  const setup = lxcSetup();
  return {
    driver: setup.driver,
    sid: 'ct:101',
    isRunning: () => setup.containerState('101') === 'RUNNING',
    commandCount: () => setup.state.calls().length,
    hangStart: () => setup.flag('hang-lxc-start'),
    cleanup: () => setup.state.remove(),
  };
});

describe('LxcDriver', () => {
  let setup: ReturnType<typeof lxcSetup>;
  beforeEach(() => {
    setup = lxcSetup();
  });
  afterEach(() => setup.state.remove());

  it('names the container by the VMID, as Proxmox does; other sids are not containers', () => {
    assert.equal(containerOf('ct:101'), '101');
    assert.equal(containerOf('vm:101'), undefined);
    assert.equal(containerOf('ct:web'), undefined);
    assert.equal(containerOf('ct:99'), undefined);
  });

  it('starts with lxc-start -n <vmid> after lxc-info -s found it stopped', async () => {
    assert.deepEqual(await setup.driver.start('ct:101', CALL), { exec: 'done', exit: OcfExit.success });
    assert.deepEqual(setup.state.calls(), ['lxc-info [-n] [101] [-s]', 'lxc-start [-n] [101]']);
    assert.equal(setup.containerState('101'), 'RUNNING');
  });

  it('starts a running container by doing nothing', async () => {
    writeFileSync(join(setup.state.dir, 'containers', '101'), 'RUNNING\n');
    assert.equal((await setup.driver.start('ct:101', CALL)).exit, OcfExit.success);
    assert.deepEqual(setup.state.calls(), ['lxc-info [-n] [101] [-s]']);
  });

  it('stops cleanly with lxc-stop --nokill -t when the container obeys', async () => {
    await setup.driver.start('ct:101', CALL);
    assert.equal((await setup.driver.stop('ct:101', CALL)).exit, OcfExit.success);
    const calls = setup.state.calls().slice(2);
    assert.equal(calls.length, 2);
    assert.equal(calls[0], 'lxc-info [-n] [101] [-s]');
    // 10 s budget, a third kept for the kill, a second of slack for lxc-stop's own wait
    assert.match(calls[1]!, /^lxc-stop \[-n\] \[101\] \[--nokill\] \[-t\] \[[45]\]$/);
    assert.equal(setup.containerState('101'), 'STOPPED');
  });

  it('kills a container that ignores the clean shutdown, within the stop time-out', async () => {
    await setup.driver.start('ct:101', CALL);
    setup.flag('ignore-shutdown-101');
    const startedMs = Date.now();
    const result = await setup.driver.stop('ct:101', { timeoutMs: 4_000 });
    const tookMs = Date.now() - startedMs;
    assert.deepEqual(result, { exec: 'done', exit: OcfExit.success });
    assert.ok(tookMs < 4_000, `took ${tookMs} ms`);
    assert.deepEqual(setup.state.calls().slice(3), ['lxc-stop [-n] [101] [--nokill] [-t] [1]', 'lxc-stop [-n] [101] [--kill]']);
    assert.equal(setup.containerState('101'), 'STOPPED');
  });

  it('kills at once when a hung clean shutdown used up its part of the budget', async () => {
    await setup.driver.start('ct:101', CALL);
    setup.flag('hang-lxc-stop');
    const result = await setup.driver.stop('ct:101', { timeoutMs: 3_000 });
    // the kill hangs too: a time-out, reported as such within the budget
    assert.equal(result.exec, 'timeout');
    assert.equal(setup.state.calls().at(-1), 'lxc-stop [-n] [101] [--kill]');
  });

  it('gives lxc-start\'s own reason for a container that is not configured on this node', async () => {
    const check = await setup.driver.check('ct:102', CALL);
    assert.deepEqual([check.exec, check.exit], ['done', OcfExit.notRunning]);
    assert.match(check.detail ?? '', /container 102 does not exist on this node/);
    const result = await setup.driver.start('ct:102', CALL);
    assert.deepEqual([result.exec, result.exit], ['done', OcfExit.error]);
    assert.equal(result.detail, 'lxc-start -n 102: lxc-start: 102: tools/lxc_start.c: main: 266 No container config specified');
    const outcome = await executeRequest(setup.driver, { sid: 'ct:102', uid: 'u1', request: 'started' }, { configuredNode: 'node1', localNode: 'node1' });
    assert.equal(outcome.result, LrmResult.error);
    assert.match(outcome.reason ?? '', /No container config specified/);
    assert.equal((await setup.driver.stop('ct:102', CALL)).exit, OcfExit.success, 'a container that does not exist is stopped');
  });

  it('takes lxc-info output that is not a state for a failed check, quoting it', async () => {
    setup.flag('info-garbage');
    const check = await setup.driver.check('ct:101', CALL);
    assert.deepEqual([check.exec, check.exit], ['done', OcfExit.error]);
    assert.equal(check.detail, 'lxc-info -n 101 -s answered "Segmentation fault (core dumped?)", exit 0');
    const start = await setup.driver.start('ct:101', CALL);
    assert.equal(start.exit, OcfExit.error);
    assert.deepEqual(setup.state.calls(), ['lxc-info [-n] [101] [-s]', 'lxc-info [-n] [101] [-s]'], 'nothing is started on a state it cannot read');
  });

  it('does not migrate online: a move of a running container is stop, relocate, and the target starts it', async () => {
    await setup.driver.start('ct:101', CALL);
    assert.equal(setup.driver.canMigrateOnline('ct:101'), false);
    const job = { sid: 'ct:101', uid: 'u1', request: 'migrate', target: 'node2' };
    assert.deepEqual(await executeRequest(setup.driver, job, { configuredNode: 'node1', localNode: 'node1' }), { result: LrmResult.success, action: 'relocate' });
    assert.equal(setup.containerState('101'), 'STOPPED');
  });

  it('reports missing lxc tools as not installed', async () => {
    const driver = new LxcDriver({ env: { PATH: '/nonexistent' } });
    const check = await driver.check('ct:101', CALL);
    assert.equal(check.exec, 'not-installed');
  });
});
