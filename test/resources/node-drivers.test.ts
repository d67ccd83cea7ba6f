import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { DriverRegistry, UnavailableDriver } from '../../src/resources/driver-registry.ts';
import { executeRequest } from '../../src/resources/execute-request.ts';
import { createNodeDrivers, driverPaths, parseDriverKinds } from '../../src/resources/node-drivers.ts';
import { OcfExit } from '../../src/resources/ocf-exit.ts';
import { OCF_ROOT_FIXTURE } from './fake-tools.ts';

const CALL = { timeoutMs: 10_000 };

describe('DriverRegistry', () => {
  it('maps sid types to drivers and answers not-installed for the rest', async () => {
    const unavailable = new UnavailableDriver('x');
    const registry = new DriverRegistry({ vm: unavailable });
    assert.equal(registry.driverFor('vm:101'), unavailable);
    assert.deepEqual(registry.types(), ['vm']);
    const missing = await registry.driverFor('lxc:1').start('lxc:1', CALL);
    assert.deepEqual(missing, { exec: 'not-installed', exit: OcfExit.notInstalled, detail: "No driver for service type 'lxc' on this node" });
    assert.match((await registry.driverFor('nonsense').check('nonsense', CALL)).detail ?? '', /Bad sid: "nonsense"/);
  });

  it('refuses a mapping with a type that cannot be a sid type', () => {
    assert.throws(() => new DriverRegistry({ 'V M': new UnavailableDriver('x') }), /Bad service type in driver mapping: "V M"/);
  });
});

describe('createNodeDrivers', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ha-drivers-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const options = () => ({ node: 'node1', sharedDir: join(root, 'shared'), nodeDirOf: (node: string) => join(root, 'nodes', node) });

  it('maps vm to virsh, ct to lxc, service to systemd, ocf to ocf, sim to sim', async () => {
    const registry = createNodeDrivers(options());
    assert.deepEqual(['vm:1', 'service:a', 'ocf:a', 'sim:a', 'ct:1'].map((sid) => registry.driverFor(sid).name), ['virsh', 'systemd', 'ocf', 'sim', 'lxc']);
  });

  it('answers not-installed for a type mapped to none', async () => {
    const registry = createNodeDrivers({ ...options(), kinds: parseDriverKinds('ct=none') });
    const outcome = await executeRequest(registry.driverFor('ct:200'), { sid: 'ct:200', uid: 'u1', request: 'started' }, { configuredNode: 'node1', localNode: 'node1' });
    assert.equal(outcome.result, LrmResult.unknownServiceType);
    assert.equal(outcome.reason, "Service type 'ct' is not available on node1");
  });

  it('lets the demo run vm and ct as simulated processes, sharing one sim driver', () => {
    const registry = createNodeDrivers({ ...options(), kinds: parseDriverKinds('vm=sim, ct=sim') });
    assert.equal(registry.driverFor('vm:1').name, 'sim');
    assert.equal(registry.driverFor('ct:1'), registry.driverFor('sim:1'));
  });

  it('reads OCF specs from the shared directory at each call, and reports a bad spec file', async () => {
    const registry = createNodeDrivers({ ...options(), ocfRoot: OCF_ROOT_FIXTURE });
    const driver = registry.driverFor('ocf:web');
    assert.match((await driver.check('ocf:web', CALL)).detail ?? '', /ocf:web has no OCF spec on node1/);
    const specs = driverPaths(join(root, 'shared')).ocfSpecs;
    mkdirSync(join(root, 'shared', 'definitions'), { recursive: true });
    mkdirSync(join(root, 'state'));
    writeFileSync(specs, JSON.stringify({ web: { provider: 'hatest', agent: 'Dummy', params: { state_dir: join(root, 'state') } } }));
    const check = await driver.check('ocf:web', CALL);
    assert.deepEqual([check.exec, check.exit], ['done', OcfExit.notRunning]);
    writeFileSync(specs, JSON.stringify({ web: { provider: '..', agent: 'Dummy' } }));
    const bad = await driver.check('ocf:web', CALL);
    assert.equal(bad.exit, OcfExit.notConfigured);
    assert.match(bad.detail ?? '', /OCF resource web: bad provider: "\.\."/);
  });

  it('parses driver mappings and names a bad entry', () => {
    assert.deepEqual(parseDriverKinds('vm=sim,ct=none'), { vm: 'sim', ct: 'none' });
    assert.deepEqual(parseDriverKinds(''), {});
    assert.throws(() => parseDriverKinds('vm=qemu'), /Bad driver kind in "vm=qemu": use one of sim, virsh, lxc, systemd, ocf, none/);
    assert.throws(() => parseDriverKinds('vm'), /Bad driver kind in "vm"/);
    assert.throws(() => parseDriverKinds('VM=sim'), /Bad driver mapping entry: "VM=sim"/);
    assert.throws(() => parseDriverKinds('vm=sim,ct=lxc,vm=virsh'), /Service type 'vm' mapped twice in "vm=sim,ct=lxc,vm=virsh"/);
  });
});
