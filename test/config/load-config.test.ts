import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/common/ha-config.ts';
import { DEFAULT_TIMING, deriveTiming } from '../../src/common/timing.ts';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/config/section-config.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ha-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('loadHaConfig', () => {
  it('reads an empty directory as no resources, no groups, default settings and the timing of the default fence_timeout', () => {
    const loaded = loadHaConfig(new DirClusterStore(dirWith({})));
    assert.deepEqual(loaded.config.resources, {});
    assert.deepEqual(loaded.config.groups, {});
    assert.deepEqual(loaded.config.settings, DEFAULT_CLUSTER_SETTINGS);
    assert.deepEqual(loaded.timing, DEFAULT_TIMING);
    assert.equal(loaded.timing.leaseTimeoutMs, 60_000);
  });

  it('reads rules.cfg with the rest, and failback of resources', () => {
    const { config } = loadHaConfig(
      new DirClusterStore(dirWith({
        'resources.cfg': 'vm: 100\n\tnode n1\n\tfailback 0\n',
        'rules.cfg': 'node-affinity: pin\n\tresources vm:100\n\tnodes n1:2,n2\n\tstrict 1\n',
      })),
    );
    assert.equal(config.resources['vm:100']?.failback, false);
    assert.deepEqual(config.rules, [{ type: 'node-affinity', id: 'pin', resources: ['vm:100'], nodes: { n1: 2, n2: 0 }, strict: true, isDisabled: false }]);
  });

  it('refuses a bad rules.cfg naming its file and line', () => {
    const dir = dirWith({ 'rules.cfg': 'resource-affinity: pair\n\tresources vm:100,vm:101\n\taffinity positive\n\tnodes n1\n' });
    assert.throws(() => loadHaConfig(new DirClusterStore(dir)), (error: unknown) => error instanceof ConfigError && error.message === `${dir}/rules.cfg:4: Unknown option 'nodes' of a resource-affinity rule, expected one of resources, affinity, disable, comment`);
  });

  it('fills defaults: state started, max_restart 1, max_relocate 1; enabled reads as started', () => {
    const { config } = loadHaConfig(new DirClusterStore(dirWith({ 'resources.cfg': 'vm: 100\n\tnode n1\n\nct: 200\n\tnode n2\n\tstate enabled\n\tmax_restart 0\n' })));
    assert.deepEqual(config.resources['vm:100'], { node: 'n1', state: 'started', maxRestart: 1, maxRelocate: 1 });
    assert.deepEqual(config.resources['ct:200'], { node: 'n2', state: 'started', maxRestart: 0, maxRelocate: 1 });
  });

  it('takes the node of a resource without one from the manager status, else leaves it to the master to place', () => {
    const dir = dirWith({
      'groups.cfg': 'group: g\n\tnodes n1:1,n3:5,n2:5\n',
      'resources.cfg': 'vm: 100\n\tgroup g\n\nvm: 101\n\tgroup g\n\nvm: 102\n\tstate stopped\n',
      'status/manager.json': JSON.stringify({ node_status: {}, service_status: { 'vm:101': { node: 'n1', state: 'started' }, 'vm:102': { node: 'n2', state: 'stopped' } } }),
    });
    const { config } = loadHaConfig(new DirClusterStore(dir));
    assert.equal(config.resources['vm:100']!.node, undefined, 'not placed yet: no guess from the group at parse time');
    assert.equal(config.resources['vm:101']!.node, 'n1');
    assert.equal(config.resources['vm:102']!.node, 'n2');
  });

  it('reads durations in seconds or milliseconds and the cluster settings of ha.cfg', () => {
    const dir = dirWith({
      'ha.cfg':
        'ha: cluster\n\tfence_timeout 95s\n\tround 2500ms\n\tfence_delay 30\n\tshutdown_policy failover\n\tmax_workers 8\n\tplacement static\n\trebalance_on_start 1\n\tauto_rebalance 1\n\tauto_rebalance_method topsis\n\tauto_rebalance_hold 0\n\tauto_rebalance_threshold 0.25\n\n' +
        'node: n1\n\tcpus 4\n\tmemory 2048\n\nservice: vm:100\n\tcpus 0\n\tmemory 512\n',
    });
    const { config, timing } = loadHaConfig(new DirClusterStore(dir));
    assert.equal(timing.leaseTimeoutMs, 95_000);
    assert.equal(timing.roundMs, 2500);
    assert.equal(timing.fenceDelayMs, 30_000);
    assert.deepEqual(timing, deriveTiming(95_000, { roundMs: 2500, fenceDelayMs: 30_000 }), 'the timings not set are derived from fence_timeout');
    const autoRebalance = { isEnabled: true, threshold: 0.25, method: 'topsis', holdRounds: 0, margin: 0.1 };
    assert.deepEqual(config.settings, { shutdownPolicy: 'failover', placement: 'static', rebalanceOnStart: true, maxWorkers: 8, autoRebalance });
    assert.deepEqual(config.nodeCapacities, { n1: { cpus: 4, memoryBytes: 2048 * 1024 * 1024 } });
    assert.deepEqual(config.serviceSizes, { 'vm:100': { maxCpu: 0, maxMemBytes: 512 * 1024 * 1024 } });
  });

  it('derives every timing from fence_timeout alone', () => {
    const { timing } = loadHaConfig(new DirClusterStore(dirWith({ 'ha.cfg': 'ha: cluster\n\tfence_timeout 10\n' })));
    assert.deepEqual(timing, deriveTiming(10_000));
  });

  it('refuses timings that break a rule, on the line of the last option involved, with the numbers', () => {
    const dir = dirWith({ 'ha.cfg': 'ha: cluster\n\twatchdog_client_timeout 30\n\tshutdown_policy freeze\n\tfence_timeout 40\n' });
    assert.throws(() => loadHaConfig(new DirClusterStore(dir)), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.line, 4, 'fence_timeout is the last line of an option the broken rule involves');
      assert.match(error.message, /: fence_timeout 40 s must exceed watchdog_client_timeout 30 s \+ watchdog_device_timeout 7 s \+ renewal_max 3333 ms \+ drift_margin 2 s = 42333 ms /);
      return true;
    });
  });

  it('refuses lease_timeout, naming fence_timeout as its new name', () => {
    assert.throws(() => loadHaConfig(new DirClusterStore(dirWith({ 'ha.cfg': 'ha: cluster\n\tlease_timeout 120\n' }))), /ha\.cfg:2: Option 'lease_timeout' is now 'fence_timeout'/);
  });

  it('refuses a bad automatic-rebalancing option, naming file, line and option', () => {
    assert.throws(() => loadHaConfig(new DirClusterStore(dirWith({ 'ha.cfg': 'ha: cluster\n\tplacement dynamic\n\tauto_rebalance_method random\n' }))), /ha\.cfg:3: Option 'auto_rebalance_method'.*'random'/);
    assert.throws(() => loadHaConfig(new DirClusterStore(dirWith({ 'ha.cfg': 'ha: cluster\n\tauto_rebalance_threshold -1\n' }))), /ha\.cfg:2: Option 'auto_rebalance_threshold': Bad number '-1'/);
  });

  it('refuses a service type the cluster has no driver for, naming file, line and the known types', () => {
    const known = "this cluster's types are ct, ocf, service, sim, vm (ha.cfg 'drivers' maps types to drivers)";
    for (const [text, line, sid] of [['foo: bar\n', 1, 'foo:bar'], ['vm: 100\n\nqemu: 100\n\tstate started\n', 3, 'qemu:100']] as const) {
      const dir = dirWith({ 'resources.cfg': text });
      const type = sid.split(':')[0];
      assert.throws(() => loadHaConfig(new DirClusterStore(dir)), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, `${join(dir, 'resources.cfg')}:${line}: Unknown service type '${type}' of ${sid}: ${known}`);
        return true;
      });
    }
  });

  it('takes the service types from ha.cfg drivers: a type added, one mapped to none, a bad entry', () => {
    const added = loadHaConfig(new DirClusterStore(dirWith({ 'ha.cfg': 'ha: cluster\n\tdrivers vm=sim,ct=sim,web=systemd\n', 'resources.cfg': 'web: nginx\n\nct: 100\n' })));
    assert.deepEqual(Object.keys(added.config.resources), ['web:nginx', 'ct:100']);
    assert.deepEqual(added.driverKinds, { vm: 'sim', ct: 'sim', service: 'systemd', ocf: 'ocf', sim: 'sim', web: 'systemd' });
    const removed = dirWith({ 'ha.cfg': 'ha: cluster\n\tdrivers ct=none\n', 'resources.cfg': 'vm: 100\n\nct: 101\n' });
    assert.throws(() => loadHaConfig(new DirClusterStore(removed)), /resources\.cfg:3: Unknown service type 'ct' of ct:101: this cluster's types are ocf, service, sim, vm /);
    const bad = dirWith({ 'ha.cfg': 'ha: cluster\n\tfence_timeout 60\n\tdrivers vm=qemu\n' });
    assert.throws(() => loadHaConfig(new DirClusterStore(bad)), /ha\.cfg:3: Option 'drivers': Bad driver kind in "vm=qemu": use one of sim, virsh, lxc, systemd, ocf, none$/);
  });

  it('reports an unreadable config file as an error naming it', () => {
    const dir = dirWith({});
    mkdirSync(join(dir, 'resources.cfg'));
    assert.throws(() => loadHaConfig(new DirClusterStore(dir)), /resources\.cfg: Cannot read: /);
  });
});
