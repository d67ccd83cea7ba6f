import { strict as assert } from 'node:assert';
import type { FenceStep } from '../../src/fence/fence-config.ts';
import { SimFenceDevices } from '../../src/sim/sim-fence-devices.ts';

const IPMI: FenceStep = { deviceId: 'ipmi', agent: 'fence_ipmilan', options: {}, timeoutS: 20 };
const KDUMP: FenceStep = { deviceId: 'kdump', agent: 'fence_kdump', options: {}, timeoutS: 60 };
const APC: FenceStep = { deviceId: 'pdu:1', agent: 'fence_apc', options: {}, timeoutS: 20 };

describe('simulated fence devices', () => {
  it('an ok device answers in its agent’s usual time: fence_ipmilan 2.5 s, others 1 s', () => {
    const devices = new SimFenceDevices();
    assert.deepEqual(devices.callOutcome(IPMI, 'off'), { kind: 'done', afterMs: 2500, ok: true });
    assert.deepEqual(devices.callOutcome(APC, 'on'), { kind: 'done', afterMs: 1000, ok: true });
  });

  it('fail fails in the usual time, hang at the call’s timeout, slow takes its time unless that reaches the timeout', () => {
    const devices = new SimFenceDevices();
    devices.set('ipmi', { state: 'fail' });
    assert.deepEqual(devices.callOutcome(IPMI, 'off'), { kind: 'done', afterMs: 2500, ok: false, reason: 'fence_ipmilan off through device ipmi failed (exit 1)' });
    devices.set('ipmi', { state: 'hang' });
    assert.deepEqual(devices.callOutcome(IPMI, 'off'), { kind: 'done', afterMs: 20_000, ok: false, reason: 'fence_ipmilan off through device ipmi timed out after 20 s' });
    devices.set('ipmi', { state: 'ok', slowMs: 7000 });
    assert.deepEqual(devices.callOutcome(IPMI, 'off'), { kind: 'done', afterMs: 7000, ok: true });
    devices.set('ipmi', { state: 'ok', slowMs: 20_000 });
    assert.deepEqual(devices.callOutcome(IPMI, 'off'), { kind: 'done', afterMs: 20_000, ok: false, reason: 'fence_ipmilan off through device ipmi timed out after 20 s' }, 'as slow as the timeout: killed');
    assert.deepEqual(devices.callOutcome(APC, 'off'), { kind: 'done', afterMs: 1000, ok: true }, 'other devices are untouched');
    devices.healAll();
    assert.deepEqual(devices.conditionOf('ipmi'), { state: 'ok' });
  });

  it('fence_kdump listens for the dump message on off, and has nothing to do on on', () => {
    const devices = new SimFenceDevices();
    assert.deepEqual(devices.callOutcome(KDUMP, 'off'), { kind: 'wait-kdump', startMs: 200, timeoutMs: 60_000 });
    assert.deepEqual(devices.callOutcome(KDUMP, 'on'), { kind: 'done', afterMs: 0, ok: true });
    devices.set('kdump', { state: 'hang' });
    assert.equal(devices.callOutcome(KDUMP, 'off').kind, 'done');
  });
});
