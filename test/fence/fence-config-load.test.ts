import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/config/section-config.ts';
import { fenceLevelsFor } from '../../src/fence/fence-config.ts';
import { loadScenario, ScenarioError } from '../../src/sim/scenario.ts';
import { sharedPaths } from '../../src/store/shared-dir.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

const FENCE_CFG = 'device ipmi fence_ipmilan ip=127.0.0.1 password=s3cret\nconnect ipmi node=node1 ipport=9001\n';

describe('fence.cfg in a shared directory', () => {
  it('sharedPaths names fence.cfg', () => assert.equal(sharedPaths('/x').fence, '/x/fence.cfg'));

  it('leaves config.fence undefined when there is no fence.cfg', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fence-load-'));
    assert.equal(loadHaConfig(new DirClusterStore(dir)).config.fence, undefined);
    assert.ok(!('fence' in loadHaConfig(new DirClusterStore(dir)).config));
  });

  it('loads fence.cfg into config.fence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fence-load-'));
    writeFileSync(join(dir, 'fence.cfg'), FENCE_CFG, { mode: 0o600 });
    const fence = loadHaConfig(new DirClusterStore(dir)).config.fence;
    assert.ok(fence);
    assert.deepEqual(
      fenceLevelsFor(fence, 'node1').map((level) => level.steps.map((step) => step.options)),
      [[{ ip: '127.0.0.1', password: 's3cret', ipport: '9001' }]],
    );
  });

  it('refuses a bad fence.cfg with its file and line, and the whole config with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fence-load-'));
    writeFileSync(join(dir, 'fence.cfg'), `${FENCE_CFG}connect nope node=node2\n`);
    assert.throws(
      () => loadHaConfig(new DirClusterStore(dir)),
      (error: unknown) => error instanceof ConfigError && error.message === `${join(dir, 'fence.cfg')}:3: Unknown device 'nope' (known: ipmi)`,
    );
  });

  it('refuses binary data in fence.cfg as it does in the other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fence-load-'));
    writeFileSync(join(dir, 'fence.cfg'), Buffer.from([0x64, 0, 0x0a]));
    assert.throws(() => loadHaConfig(new DirClusterStore(dir)), /fence\.cfg:1: Binary data/);
  });
});

describe('fence.cfg in a scenario directory', () => {
  function scenarioWith(fence: string | undefined): string {
    const dir = mkdtempSync(join(tmpdir(), 'fence-scenario-'));
    cpSync('fixtures/scenarios/failover-basic', dir, { recursive: true });
    if (fence !== undefined) writeFileSync(join(dir, 'fence.cfg'), fence);
    return dir;
  }

  it('has no fence field without a fence.cfg', () => assert.equal(loadScenario(scenarioWith(undefined)).fence, undefined));

  it('reads the scenario fence.cfg', () => {
    const scenario = loadScenario(scenarioWith('device pdu fence_dummy\nconnect pdu node=node1\nnode node1 watchdog=none\nproxy node2\n'));
    assert.equal(scenario.fence?.nodes.node1?.watchdog, 'none');
    assert.deepEqual(scenario.fence?.proxyOrder, ['node2']);
  });

  it('refuses a bad fence.cfg and a node the scenario does not have, naming file and line', () => {
    const bad = scenarioWith('device pdu fence_dummy\ndevice pdu fence_dummy\n');
    assert.throws(() => loadScenario(bad), (error: unknown) => error instanceof ScenarioError && error.message === `${join(bad, 'fence.cfg')}:2: Duplicate device 'pdu' (first defined on line 1)`);
    const unknown = scenarioWith('device pdu fence_dummy\nconnect pdu node=node9\n');
    assert.throws(() => loadScenario(unknown), (error: unknown) => error instanceof ScenarioError && /fence\.cfg:2: Unknown node 'node9' \(hardware_status has node1, node2, node3\)/.test(error.message));
  });
});
