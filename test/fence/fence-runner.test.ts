import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentCallRequest } from '../../src/fence/agent-call.ts';
import type { AgentCallResult } from '../../src/fence/agent-result.ts';
import type { FenceLevel, FenceStep } from '../../src/fence/fence-config.ts';
import { FenceRunner } from '../../src/fence/fence-runner.ts';
import { abilitiesFromMetadata, judgeCall, levelCalls, FULL_ABILITIES } from '../../src/fence/level-plan.ts';

const KDUMP_METADATA = '<resource-agent name="fence_kdump"><actions><action name="off" /><action name="monitor" /><action name="metadata" /></actions></resource-agent>';
const PDU_METADATA = '<resource-agent name="fence_pdu"><actions><action name="on" automatic="0"/><action name="off" /><action name="status" /></actions></resource-agent>';

function step(deviceId: string, agent = 'fence_pdu', options: Record<string, string> = {}): FenceStep {
  return { deviceId, agent, options, timeoutS: 10 };
}

function level(name: string, steps: FenceStep[]): FenceLevel {
  return { name, steps, isKdump: steps.every((candidate) => candidate.agent === 'fence_kdump') };
}

function result(request: AgentCallRequest, exit: number, reason = ''): AgentCallResult {
  return { agent: request.agent, action: request.action, exec: 'done', exit, durationMs: 1, reason: reason || `${request.agent} ${request.action}: exit ${exit}`, stdout: '' };
}

/** An agent caller that answers from a table `device action → exit` and records the calls. */
function scriptedCaller(exits: Record<string, number>) {
  const calls: string[] = [];
  const caller = async (request: AgentCallRequest): Promise<AgentCallResult> => {
    if (request.action === 'metadata') return { ...result(request, 0), stdout: request.agent === 'fence_kdump' ? KDUMP_METADATA : PDU_METADATA };
    const device = request.options['device'] ?? '?';
    calls.push(`${device} ${request.action}`);
    return result(request, exits[`${device} ${request.action}`] ?? (request.action === 'status' ? 2 : 0));
  };
  return { caller, calls };
}

const pdus = level('power', [step('power:1', 'fence_pdu', { device: 'p1' }), step('power:2', 'fence_pdu', { device: 'p2' })]);

describe('fence level plan', () => {
  const abilities = (agent: string) => abilitiesFromMetadata(agent === 'fence_kdump' ? KDUMP_METADATA : PDU_METADATA);

  it('turns every device off, then checks each; a reboot is off on all, then on on all', () => {
    const words = (action: 'off' | 'on' | 'reboot') => levelCalls(pdus, action, abilities).map((call) => `${call.stepIndex} ${call.action}`);
    assert.deepEqual(words('off'), ['0 off', '1 off', '0 status', '1 status']);
    assert.deepEqual(words('on'), ['0 on', '1 on']);
    assert.deepEqual(words('reboot'), ['0 off', '1 off', '0 status', '1 status', '0 on', '1 on']);
  });

  it('does not check an agent without status (fence_kdump) and leaves it out of on', () => {
    const kdump = level('kdump', [step('kdump', 'fence_kdump')]);
    assert.deepEqual(levelCalls(kdump, 'off', abilities), [{ stepIndex: 0, action: 'off' }]);
    assert.deepEqual(levelCalls(kdump, 'on', abilities), []);
  });

  it('judges a status after off: 2 is off, 0 is still on, 1 is a failure', () => {
    const check = { stepIndex: 0, action: 'status' as const };
    const request = { agent: 'fence_pdu', action: 'status' as const, options: {}, timeoutMs: 1 };
    assert.deepEqual(judgeCall(check, result(request, 2)), { ok: true });
    assert.match((judgeCall(check, result(request, 0)) as { reason: string }).reason, /^power still on after off/);
    assert.match((judgeCall(check, result(request, 1)) as { reason: string }).reason, /^status check failed/);
    assert.equal(judgeCall({ stepIndex: 0, action: 'off' }, result({ ...request, action: 'off' }, 2)).ok, false);
  });

  it('trusts no metadata without an action list to mean "no status"', () => {
    assert.deepEqual(abilitiesFromMetadata('garbage'), FULL_ABILITIES);
    assert.deepEqual(abilitiesFromMetadata(KDUMP_METADATA), { hasStatus: false, hasOn: false });
  });
});

describe('fence runner', () => {
  it('stops a level at the first failing device and names it', async () => {
    const { caller, calls } = scriptedCaller({ 'p2 off': 1 });
    const outcome = await new FenceRunner(caller).runLevel(pdus, 'off');
    assert.equal(outcome.ok, false);
    assert.equal(outcome.reason, "device 'power:2': fence_pdu off: exit 1");
    assert.deepEqual(calls, ['p1 off', 'p2 off']);
  });

  it('fails a level whose device still reads on after off', async () => {
    const { caller } = scriptedCaller({ 'p1 status': 0 });
    const outcome = await new FenceRunner(caller).runLevel(pdus, 'off');
    assert.match(outcome.reason ?? '', /^device 'power:1': power still on after off/);
  });

  it('tries the levels in order until one succeeds', async () => {
    const ipmi = level('ipmi', [step('ipmi', 'fence_ipmi', { device: 'bmc' })]);
    const { caller, calls } = scriptedCaller({ 'bmc off': 1 });
    const outcome = await new FenceRunner(caller).runPlan([ipmi, pdus], 'off');
    assert.deepEqual([outcome.ok, outcome.levelIndex, outcome.levels.map((found) => found.ok)], [true, 1, [false, true]]);
    assert.deepEqual(calls, ['bmc off', 'p1 off', 'p2 off', 'p1 status', 'p2 status']);
  });

  it('answers an on of a kdump level with nothing to do: its node reboots by itself', async () => {
    const { caller, calls } = scriptedCaller({});
    const outcome = await new FenceRunner(caller).runLevel(level('kdump', [step('kdump', 'fence_kdump', { device: 'k' })]), 'on');
    assert.deepEqual([outcome.ok, outcome.reason, calls], [true, "no device of level 'kdump' has an on action: nothing to do", []]);
  });

  it('asks each agent for its metadata once', async () => {
    const metadataCalls: string[] = [];
    const { caller } = scriptedCaller({});
    const runner = new FenceRunner(async (request) => {
      if (request.action === 'metadata') metadataCalls.push(request.agent);
      return caller(request);
    });
    await runner.runLevel(pdus, 'off');
    await runner.runLevel(pdus, 'on');
    assert.deepEqual(metadataCalls, ['fence_pdu']);
  });
});

describe('fence runner with the real fence_dummy', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-fence-dummy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('powers a type=file device off (checked with status), then on', async () => {
    const statusFile = join(dir, 'pdu1');
    writeFileSync(statusFile, 'on');
    const dummy = level('pdu', [step('pdu', 'fence_dummy', { type: 'file', status_file: statusFile })]);
    const runner = new FenceRunner();
    const off = await runner.runLevel(dummy, 'off');
    assert.equal(off.ok, true, off.reason);
    assert.deepEqual(off.calls.map((call) => `${call.action} ${call.exit}`), ['off 0', 'status 2']);
    assert.equal(readFileSync(statusFile, 'utf8'), 'off');
    const on = await runner.runLevel(dummy, 'on');
    assert.equal(on.ok, true, on.reason);
    assert.equal(readFileSync(statusFile, 'utf8'), 'on');
  });

  it('fails a two-device level where one device fails (type=fail), naming that device', async () => {
    const statusFile = join(dir, 'pdu1');
    writeFileSync(statusFile, 'on');
    const twoPdus = level('power', [step('power:1', 'fence_dummy', { type: 'file', status_file: statusFile }), step('power:2', 'fence_dummy', { type: 'fail', power_timeout: '1' })]);
    const outcome = await new FenceRunner().runLevel(twoPdus, 'off');
    assert.equal(outcome.ok, false);
    assert.match(outcome.reason ?? '', /^device 'power:2': fence_dummy off: exit 1: ERROR: Failed: Timed out waiting to power OFF$/);
    assert.deepEqual(outcome.calls.map((call) => `${call.deviceId} ${call.action} ${call.exit}`), ['power:1 off 0', 'power:2 off 1']);
  });

  it('reports each device for fence-test: on, off, failed (a type=fail device reads on: it cannot power off)', async () => {
    const on = join(dir, 'on');
    const off = join(dir, 'off');
    writeFileSync(on, 'on');
    writeFileSync(off, 'off');
    const levels = [level('a', [step('a:1', 'fence_dummy', { type: 'file', status_file: on }), step('a:2', 'fence_dummy', { type: 'file', status_file: off })]), level('b', [step('b:1', 'fence_dummy', { type: 'fail' }), step('b:2', 'fence_not_installed')])];
    const tests = await new FenceRunner().testDevices(levels);
    assert.deepEqual(tests.map((test) => `${test.levelIndex} ${test.deviceId} ${test.power}`), ['0 a:1 on', '0 a:2 off', '1 b:1 on', '1 b:2 failed']);
    assert.match(tests[3]!.reason, /fence_not_installed not found on PATH/);
  });
});
