import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { executeRequest } from '../../src/resources/execute-request.ts';
import { OcfDriver } from '../../src/resources/ocf-driver.ts';
import { OcfExit } from '../../src/resources/ocf-exit.ts';
import { parseOcfSpec, type OcfSpec } from '../../src/resources/ocf-spec.ts';
import { describeDriverContract } from './driver-contract.ts';
import { OCF_ROOT_FIXTURE } from './fake-tools.ts';

const CALL = { timeoutMs: 10_000 };

function ocfSetup(node = 'node1') {
  const dir = mkdtempSync(join(tmpdir(), 'ha-ocf-'));
  const specs: Record<string, OcfSpec> = {
    web: { provider: 'hatest', agent: 'Dummy', params: { state_dir: dir, greeting: 'hello $(id) `x`' }, allowMigrate: true },
    pinned: { provider: 'hatest', agent: 'Dummy', params: { state_dir: dir }, allowMigrate: false },
    ghost: { provider: 'hatest', agent: 'NoSuchAgent', params: {}, allowMigrate: false },
    unconfigured: { provider: 'hatest', agent: 'Dummy', params: {}, allowMigrate: false },
  };
  const driver = new OcfDriver({
    node,
    ocfRoot: OCF_ROOT_FIXTURE,
    specOf: (instance) => specs[instance],
    env: { PATH: '/usr/bin:/bin', OCF_RESKEY_leak: 'from the parent' },
  });
  const calls = () => (existsSync(join(dir, 'calls.log')) ? readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean) : []);
  return { dir, driver, calls, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describeDriverContract('ocf (fixtures/agents hatest:Dummy)', () => {
  const setup = ocfSetup();
  return {
    driver: setup.driver,
    sid: 'ocf:web',
    isRunning: () => existsSync(join(setup.dir, 'web@node1')),
    commandCount: () => setup.calls().length,
    hangStart: () => writeFileSync(join(setup.dir, 'hang-start'), ''),
    cleanup: () => setup.remove(),
  };
});

describe('OcfDriver', () => {
  let setup: ReturnType<typeof ocfSetup>;
  beforeEach(() => {
    setup = ocfSetup();
  });
  afterEach(() => setup.remove());

  it('gives the agent the OCF environment: root, instance, type, provider, parameters, meta, and no inherited OCF_*', async () => {
    await setup.driver.start('ocf:web', { timeoutMs: 7_000 });
    assert.deepEqual(setup.calls(), [
      `action=start instance=web type=Dummy provider=hatest root=${OCF_ROOT_FIXTURE} node=node1 source= target= timeout=7000 greeting=[hello $(id) \`x\`]`,
    ]);
    const log = readFileSync(join(setup.dir, 'calls.log'), 'utf8');
    assert.doesNotMatch(log, /from the parent/);
  });

  it('keeps the agent result apart from the execution status', async () => {
    writeFileSync(join(setup.dir, 'fail-start'), '');
    assert.deepEqual(pick(await setup.driver.start('ocf:web', CALL)), ['done', OcfExit.error]);
    rmSync(join(setup.dir, 'fail-start'));
    writeFileSync(join(setup.dir, 'die-start'), '');
    assert.deepEqual(pick(await setup.driver.start('ocf:web', CALL)), ['error', OcfExit.error]);
    assert.deepEqual(pick(await setup.driver.start('ocf:ghost', CALL)), ['not-installed', OcfExit.notInstalled]);
    assert.deepEqual(pick(await setup.driver.start('ocf:unconfigured', CALL)), ['done', OcfExit.notConfigured]);
    assert.deepEqual(pick(await setup.driver.start('ocf:nospec', CALL)), ['done', OcfExit.notConfigured]);
    assert.deepEqual(pick(await setup.driver.run('ocf:web', 'validate-all', CALL)), ['done', OcfExit.success]);
  });

  it('passes the agent\'s own exit codes through: monitor 7 is not running, an unknown action 3', async () => {
    assert.deepEqual(pick(await setup.driver.check('ocf:web', CALL)), ['done', OcfExit.notRunning]);
    assert.deepEqual(pick(await setup.driver.run('ocf:web', 'promote', CALL)), ['done', OcfExit.unimplemented]);
  });

  it('reads the agent meta-data', async () => {
    assert.deepEqual(pick(await setup.driver.run('ocf:web', 'meta-data', CALL)), ['done', OcfExit.success]);
  });

  it('migrates online as Pacemaker does: migrate_to here, migrate_from for the target, stop here', async () => {
    await setup.driver.start('ocf:web', CALL);
    assert.equal(setup.driver.canMigrateOnline('ocf:web'), true);
    const job = { sid: 'ocf:web', uid: 'u1', request: 'migrate', target: 'node2' };
    assert.deepEqual(await executeRequest(setup.driver, job, { configuredNode: 'node1', localNode: 'node1' }), { result: LrmResult.success, action: 'migrate' });
    const actions = setup.calls().map((line) => /action=(\S+) .* node=(\S*) source=(\S*) target=(\S*)/.exec(line)!.slice(1).join(' '));
    assert.deepEqual(actions, ['start node1  ', 'monitor node1  ', 'migrate_to node1 node1 node2', 'migrate_from node2 node1 node2', 'stop node1 node1 node2']);
    assert.equal(existsSync(join(setup.dir, 'web@node1')), false);
    assert.equal(existsSync(join(setup.dir, 'web@node2')), true);
  });

  it('relocates a service whose spec does not allow migration: stop here, target starts it', async () => {
    await setup.driver.start('ocf:pinned', CALL);
    assert.equal(setup.driver.canMigrateOnline('ocf:pinned'), false);
    const job = { sid: 'ocf:pinned', uid: 'u1', request: 'migrate', target: 'node2' };
    assert.deepEqual(await executeRequest(setup.driver, job, { configuredNode: 'node1', localNode: 'node1' }), { result: LrmResult.success, action: 'relocate' });
    assert.equal(existsSync(join(setup.dir, 'pinned@node1')), false);
  });

  it('stops a hung migration at its time-out and reports it', async () => {
    await setup.driver.start('ocf:web', CALL);
    writeFileSync(join(setup.dir, 'hang-migrate_from'), '');
    const result = await setup.driver.migrate('ocf:web', { target: 'node2', timeoutMs: 800 });
    assert.equal(result.exec, 'timeout');
    assert.match(result.detail ?? '', /migrate_from/);
  });

  it('rejects a node name that is not a node name', () => {
    assert.throws(() => new OcfDriver({ node: '../x', specOf: () => undefined }), /Bad argument node: "\.\.\/x"/);
  });
});

describe('parseOcfSpec', () => {
  it('accepts a spec and defaults params and allowMigrate', () => {
    assert.deepEqual(parseOcfSpec('ip', { provider: 'heartbeat', agent: 'IPaddr2' }), { provider: 'heartbeat', agent: 'IPaddr2', params: {}, allowMigrate: false });
  });

  it('refuses agent names that would leave the provider folder, and bad parameter names', () => {
    assert.throws(() => parseOcfSpec('ip', { provider: 'heartbeat', agent: '../../bin/sh' }), /OCF resource ip: bad agent: "\.\.\/\.\.\/bin\/sh"/);
    assert.throws(() => parseOcfSpec('ip', { provider: '.hidden', agent: 'A' }), /bad provider/);
    assert.throws(() => parseOcfSpec('ip', { provider: 'p', agent: 'A', params: { 'a-b': 'x' } }), /bad param name: "a-b"/);
    assert.throws(() => parseOcfSpec('ip', { provider: 'p', agent: 'A', params: { ip: 10 } }), /bad value of param ip: 10/);
  });
});

function pick(result: { exec: string; exit: number }): [string, number] {
  return [result.exec, result.exit];
}
