import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { executeRequest } from '../../src/resources/execute-request.ts';
import { OcfExit } from '../../src/resources/ocf-exit.ts';
import { domainOf, VirshDriver } from '../../src/resources/virsh-driver.ts';
import { describeDriverContract } from './driver-contract.ts';
import { fakeToolState } from './fake-tools.ts';

const CALL = { timeoutMs: 10_000 };

function virshSetup() {
  const state = fakeToolState('virsh');
  const definitionsDir = join(state.dir, 'definitions');
  mkdirSync(definitionsDir);
  writeFileSync(join(definitionsDir, 'vm-101.xml'), '<domain type="kvm">\n  <name>vm-101</name>\n  <memory unit="MiB">512</memory>\n</domain>\n');
  const driver = new VirshDriver({ definitionsDir, env: state.env, shutdownPollMs: 50, migrateUri: (node) => `qemu+ssh://${node}.cluster/system` });
  const domainState = (name: string) => {
    const path = join(state.dir, 'domains', name);
    return existsSync(path) ? readFileSync(path, 'utf8').trim() : 'absent';
  };
  return { state, definitionsDir, driver, domainState };
}

describeDriverContract('virsh (fake virsh)', () => {
  const setup = virshSetup();
  return {
    driver: setup.driver,
    sid: 'vm:101',
    isRunning: () => setup.domainState('vm-101') === 'running',
    commandCount: () => setup.state.calls().length,
    hangStart: () => writeFileSync(join(setup.state.dir, 'hang-start'), ''),
    cleanup: () => setup.state.remove(),
  };
});

describe('VirshDriver', () => {
  let setup: ReturnType<typeof virshSetup>;
  beforeEach(() => {
    setup = virshSetup();
  });
  afterEach(() => setup.state.remove());

  it('names the domain vm-<name>, never a bare number virsh would take for an id', () => {
    assert.equal(domainOf('vm:101'), 'vm-101');
    assert.equal(domainOf('ct:101'), undefined);
  });

  it('starts by define, start, undefine: the running domain is transient', async () => {
    assert.equal((await setup.driver.start('vm:101', CALL)).exit, OcfExit.success);
    const xml = join(setup.definitionsDir, 'vm-101.xml');
    assert.deepEqual(setup.state.calls(), ['virsh [domstate] [vm-101]', `virsh [define] [${xml}]`, 'virsh [start] [vm-101]', 'virsh [undefine] [vm-101]']);
    assert.equal(setup.domainState('vm-101'), 'running');
    assert.equal(existsSync(join(setup.state.dir, 'persistent', 'vm-101')), false);
  });

  it('leaves no persistent definition behind when the start fails', async () => {
    writeFileSync(join(setup.state.dir, 'fail-start'), '');
    const result = await setup.driver.start('vm:101', CALL);
    assert.deepEqual([result.exec, result.exit], ['done', OcfExit.error]);
    assert.match(result.detail ?? '', /virsh start vm-101/);
    assert.equal(setup.domainState('vm-101'), 'absent');
    assert.equal(existsSync(join(setup.state.dir, 'persistent', 'vm-101')), false);
  });

  it('undefines the domain even when the start times out, within the budget', async () => {
    writeFileSync(join(setup.state.dir, 'hang-start'), '');
    const startedMs = Date.now();
    const result = await setup.driver.start('vm:101', { timeoutMs: 2_000 });
    assert.equal(result.exec, 'timeout');
    assert.ok(Date.now() - startedMs < 2_000 + 500);
    assert.equal(setup.state.calls().at(-1), 'virsh [undefine] [vm-101]');
    assert.equal(existsSync(join(setup.state.dir, 'persistent', 'vm-101')), false);
  });

  it('refuses to start without a definition, or with one naming another domain', async () => {
    const absent = await setup.driver.start('vm:102', CALL);
    assert.deepEqual([absent.exec, absent.exit], ['done', OcfExit.notConfigured]);
    writeFileSync(join(setup.definitionsDir, 'vm-103.xml'), '<domain><name>vm-999</name></domain>');
    const mismatch = await setup.driver.start('vm:103', CALL);
    assert.equal(mismatch.exit, OcfExit.notConfigured);
    assert.match(mismatch.detail ?? '', /names "vm-999", expected vm-103/);
    assert.deepEqual(setup.state.calls(), []);
  });

  it('stops gracefully with shutdown when the guest obeys', async () => {
    await setup.driver.start('vm:101', CALL);
    assert.equal((await setup.driver.stop('vm:101', CALL)).exit, OcfExit.success);
    const verbs = setup.state.calls().slice(4).map((line) => line.split(' ')[1]);
    assert.deepEqual(verbs, ['[domstate]', '[shutdown]', '[domstate]']);
  });

  it('destroys a guest that ignores the shutdown, within the stop time-out', async () => {
    await setup.driver.start('vm:101', CALL);
    writeFileSync(join(setup.state.dir, 'ignore-shutdown-vm-101'), '');
    const startedMs = Date.now();
    const result = await setup.driver.stop('vm:101', { timeoutMs: 1_500 });
    assert.equal(result.exit, OcfExit.success);
    assert.ok(Date.now() - startedMs < 1_500);
    assert.ok(setup.state.calls().includes('virsh [destroy] [vm-101]'));
    assert.equal(setup.domainState('vm-101'), 'absent');
  });

  it('migrates live to the target\'s URI and reports the move done; the master records it', async () => {
    await setup.driver.start('vm:101', CALL);
    const job = { sid: 'vm:101', uid: 'u1', request: 'migrate', target: 'node2' };
    assert.deepEqual(await executeRequest(setup.driver, job, { configuredNode: 'node1', localNode: 'node1' }), { result: LrmResult.success, action: 'migrate' });
    assert.ok(setup.state.calls().includes('virsh [migrate] [--live] [vm-101] [qemu+ssh://node2.cluster/system]'));
    assert.equal(readFileSync(join(setup.state.dir, 'migrated', 'vm-101'), 'utf8').trim(), 'qemu+ssh://node2.cluster/system');
    assert.equal(setup.domainState('vm-101'), 'absent');
  });

  it('aborts the migration job when virsh migrate times out', async () => {
    await setup.driver.start('vm:101', CALL);
    writeFileSync(join(setup.state.dir, 'hang-migrate'), '');
    const result = await setup.driver.migrate('vm:101', { target: 'node2', timeoutMs: 600 });
    assert.equal(result.exec, 'timeout');
    assert.equal(setup.state.calls().at(-1), 'virsh [domjobabort] [vm-101]');
  });

  it('connects with -c when a URI is configured, and refuses a target that is not a node name', async () => {
    const driver = new VirshDriver({ definitionsDir: setup.definitionsDir, env: setup.state.env, connectUri: 'qemu:///system' });
    await driver.check('vm:101', CALL);
    assert.deepEqual(setup.state.calls(), ['virsh [-c] [qemu:///system] [domstate] [vm-101]']);
    const bad = await driver.migrate('vm:101', { target: 'node2 --unsafe', timeoutMs: 1_000 });
    assert.deepEqual([bad.exec, bad.exit], ['done', OcfExit.errorArgs]);
    assert.equal(setup.state.calls().length, 1);
  });
});
