import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatedPdus } from '../../src/cluster/emulated-pdu.ts';
import type { FenceLevel } from '../../src/fence/fence-config.ts';
import { FenceRunner } from '../../src/fence/fence-runner.ts';

/** The node's power-off takes this long (killing a node's processes on a loaded machine). */
const POWER_OFF_MS = 1_500;

describe('EmulatedPdus: two outlets feeding one node, switched by the real fence_dummy', function () {
  this.timeout(60_000);
  let dir: string;
  let pdus: EmulatedPdus | undefined;
  const powerLog: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pdu-'));
    powerLog.length = 0;
    pdus = EmulatedPdus.start({
      node: 'node2',
      dir,
      outlets: ['power:1', 'power:2'],
      onPower: async (state) => {
        powerLog.push(`${state} begins ${Date.now()}`);
        if (state === 'off') await new Promise((resolve) => setTimeout(resolve, POWER_OFF_MS));
        powerLog.push(`${state} done ${Date.now()}`);
      },
    });
  });

  afterEach(async () => {
    await pdus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function level(): FenceLevel {
    const steps = ['power:1', 'power:2'].map((outlet) => ({ deviceId: outlet, agent: 'fence_dummy', options: pdus!.fenceOptions(outlet), timeoutS: 30 }));
    return { name: 'power', steps, isKdump: false };
  }

  it('off on both: the level succeeds only after the node is dead; one outlet off alone cuts nothing', async () => {
    const runner = new FenceRunner();
    const single = await runner.runLevel({ name: 'power', steps: [level().steps[0]!], isKdump: false }, 'off');
    assert.equal(single.ok, true, single.reason);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(powerLog.length, 0, 'the node still has power through outlet 2');
    assert.equal(pdus!.power, 'on');

    const off = await runner.runLevel(level(), 'off');
    const levelDoneMs = Date.now();
    assert.equal(off.ok, true, off.reason);
    assert.deepEqual(off.calls.map((call) => `${call.deviceId} ${call.action} ${call.exit}`), ['power:1 off 0', 'power:2 off 0', 'power:1 status 2', 'power:2 status 2']);
    assert.deepEqual(powerLog.map((line) => line.split(' ').slice(0, 2).join(' ')), ['off begins', 'off done']);
    const deadMs = Number(powerLog[1]!.split(' ')[2]);
    assert.ok(deadMs <= levelDoneMs, `the level succeeded at ${levelDoneMs}, before the node was dead at ${deadMs}`);
    assert.equal(pdus!.holdDelaysMs.length, 1);
    console.log(`      outlet 2 read off for ${pdus!.holdDelaysMs[0]} ms before it was held on (fence_dummy reads it back after 1000 ms)`);
    assert.ok(pdus!.holdDelaysMs[0]! < 1_000, 'held before fence_dummy reads its outlet back');
    assert.equal(pdus!.power, 'off');
    assert.equal(readFileSync(pdus!.statusFile('power:2'), 'utf8'), 'off');
  });

  it('on after off boots the node', async () => {
    const runner = new FenceRunner();
    assert.equal((await runner.runLevel(level(), 'off')).ok, true);
    const on = await runner.runLevel(level(), 'on');
    assert.equal(on.ok, true, on.reason);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(powerLog.map((line) => line.split(' ').slice(0, 2).join(' ')), ['off begins', 'off done', 'on begins', 'on done']);
    assert.equal(pdus!.power, 'on');
  });

  it('a power-off that fails leaves the cutting outlet on: the level fails, nothing proves the node off', async () => {
    await pdus!.stop();
    pdus = EmulatedPdus.start({ node: 'node2', dir, outlets: ['power:1', 'power:2'], onPower: async () => { throw new Error('the node could not be killed'); }, onError: () => {} });
    const steps = level().steps.map((step) => ({ ...step, options: { ...step.options, power_timeout: '2' } }));
    const off = await new FenceRunner().runLevel({ name: 'power', steps, isKdump: false }, 'off');
    assert.equal(off.ok, false);
    assert.match(off.reason ?? '', /power:2/);
    assert.equal(pdus.power, 'on');
  });
});
