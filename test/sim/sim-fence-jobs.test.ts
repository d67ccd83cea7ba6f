import { strict as assert } from 'node:assert';
import type { TraceBody } from '../../src/common/trace.ts';
import type { FenceJob } from '../../src/env/env.ts';
import type { FenceConfig } from '../../src/fence/fence-config.ts';
import { FENCE } from './fence-fixture.ts';
import { SimFenceDevices } from '../../src/sim/sim-fence-devices.ts';
import { SimFenceJobs, type SimFenceWorld } from '../../src/sim/sim-fence-jobs.ts';

/** A world of three nodes, all up, with a clock the test moves. */
class FakeWorld implements SimFenceWorld {
  readonly devices = new SimFenceDevices();
  timeMs = 0;
  readonly powered = new Set(['node1', 'node2', 'node3']);
  readonly networked = new Set(['node1', 'node2', 'node3']);
  readonly dumping = new Set<string>();
  readonly boots = new Map<string, number>();
  readonly lrms = new Map<string, object>([['node1', {}], ['node2', {}], ['node3', {}]]);
  readonly happened: string[] = [];
  readonly log: string[] = [];

  nowMs(): number {
    return this.timeMs;
  }
  fenceConfig(): FenceConfig {
    return FENCE;
  }
  isPoweredOn(node: string): boolean {
    return this.powered.has(node);
  }
  isOnline(node: string): boolean {
    return this.powered.has(node) && this.networked.has(node);
  }
  isDumping(node: string): boolean {
    return this.dumping.has(node);
  }
  bootsOf(node: string): number {
    return this.boots.get(node) ?? 1;
  }
  lrmProcessOf(node: string): object | undefined {
    return this.lrms.get(node);
  }
  powerOff(node: string): void {
    this.happened.push(`${this.timeMs} off ${node}`);
    this.powered.delete(node);
  }
  powerOn(node: string): void {
    this.happened.push(`${this.timeMs} on ${node}`);
    this.powered.add(node);
  }
  restartLrm(node: string): boolean {
    this.happened.push(`${this.timeMs} restart-lrm ${node}`);
    this.lrms.set(node, {});
    return true;
  }
  emit(node: string, body: TraceBody): void {
    if (body.ev === 'log') this.log.push(`${node}: ${body.msg}`);
  }
}

const job = (action: FenceJob['action'], level: number, target = 'node2'): FenceJob => ({ uid: `u-${action}-${level}`, target, action, level });

/** Moves the clock in steps of `stepMs` up to `untilMs`, advancing the jobs at each. */
function runUntil(world: FakeWorld, jobs: SimFenceJobs, untilMs: number, stepMs = 100): void {
  while (world.timeMs < untilMs) {
    world.timeMs += stepMs;
    jobs.advance();
  }
}

describe('simulated fence jobs', () => {
  it('off of a single-device level: the node powers off when the call ends, a status checks it off, and the proxy gets the result', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    jobs.start('node1', job('off', 1));
    assert.equal(jobs.nextDueMs(), 2500);
    runUntil(world, jobs, 2400);
    assert.deepEqual(world.happened, []);
    assert.deepEqual(jobs.takeFinished('node1'), []);
    runUntil(world, jobs, 2500);
    assert.deepEqual(world.happened, ['2500 off node2']);
    assert.deepEqual(jobs.takeFinished('node1'), [], 'the status check runs on');
    runUntil(world, jobs, 3000);
    assert.deepEqual(jobs.takeFinished('node1'), [{ uid: 'u-off-1', target: 'node2', action: 'off', level: 1, ok: true }]);
    assert.deepEqual(jobs.takeFinished('node1'), [], 'taken once');
    assert.equal(jobs.size, 0);
  });

  it('a level of two devices: off on one, then the other; the node powers off only when both did', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    jobs.start('node1', job('off', 2));
    runUntil(world, jobs, 1000);
    assert.deepEqual(world.happened, [], 'one supply still feeds it');
    runUntil(world, jobs, 2000);
    assert.deepEqual(world.happened, ['2000 off node2']);
    assert.deepEqual(world.log, ['node1: fence_apc off of node2 through device pdu:1: ok after 1.0 s', 'node1: fence_apc off of node2 through device pdu:2: ok after 1.0 s']);
  });

  it('the first failing device ends the job: the node stays on, the reason says which device', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    world.devices.set('pdu:2', { state: 'fail' });
    jobs.start('node1', job('off', 2));
    runUntil(world, jobs, 5000);
    assert.deepEqual(world.happened, []);
    assert.deepEqual(jobs.takeFinished('node1'), [{ uid: 'u-off-2', target: 'node2', action: 'off', level: 2, ok: false, reason: "device 'pdu:2': fence_apc off through device pdu:2 failed (exit 1)" }]);
  });

  it('a hung device fails at the step’s timeout; a device that recovers meanwhile does not shorten the call in flight', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    world.devices.set('ipmi2', { state: 'hang' });
    jobs.start('node1', job('off', 1));
    runUntil(world, jobs, 1000);
    world.devices.set('ipmi2', { state: 'ok' });
    runUntil(world, jobs, 19_900);
    assert.deepEqual(jobs.takeFinished('node1'), []);
    runUntil(world, jobs, 20_000);
    assert.deepEqual(jobs.takeFinished('node1').map((result) => result.reason), ["device 'ipmi2': fence_ipmilan off through device ipmi2 timed out after 20 s"]);
    assert.deepEqual(world.happened, []);
  });

  it('calls are timed from the end of the one before, however late advance comes', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    world.devices.set('pdu:1', { state: 'ok', slowMs: 3000 });
    jobs.start('node1', job('off', 2));
    world.timeMs = 3000;
    jobs.advance();
    assert.equal(jobs.nextDueMs(), 4000, 'the second PDU started at 3 s');
    world.timeMs = 9000;
    jobs.advance();
    assert.deepEqual(world.happened, ['9000 off node2'], 'the effect happens when the simulator gets there');
  });

  it('on of a level powers the node on once every device did it', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    world.powered.delete('node3');
    jobs.start('node1', job('on', 0, 'node3'));
    runUntil(world, jobs, 2000);
    assert.deepEqual(world.happened, ['2000 on node3']);
  });

  it('a kdump level succeeds when the target announces its dump within the timeout, and powers nothing', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    jobs.start('node1', job('off', 0));
    runUntil(world, jobs, 12_000);
    world.powered.delete('node2');
    world.dumping.add('node2');
    assert.equal(jobs.nextDueMs(), 200, 'due at once');
    runUntil(world, jobs, 12_100);
    assert.deepEqual(jobs.takeFinished('node1'), [{ uid: 'u-off-0', target: 'node2', action: 'off', level: 0, ok: true }]);
    assert.deepEqual(world.happened, []);
  });

  it('a kdump level fails at its timeout when no dump is announced', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    jobs.start('node1', job('off', 0));
    runUntil(world, jobs, 29_900);
    assert.deepEqual(jobs.takeFinished('node1'), []);
    runUntil(world, jobs, 30_000);
    assert.deepEqual(jobs.takeFinished('node1').map((result) => result.reason), ["device 'kdump': no kernel dump message from node2 within 30 s"]);
  });

  it('soft: restarts the LRM of a host that answers, fails on one that is off or cut off, and needs a configured command', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    jobs.start('node1', job('soft', 0));
    runUntil(world, jobs, 1000);
    assert.deepEqual(world.happened, ['1000 restart-lrm node2']);
    assert.deepEqual(jobs.takeFinished('node1').map((result) => [result.ok, result.reason]), [[true, 'host node2 answers; its LRM was restarted']]);
    world.networked.delete('node2');
    jobs.start('node1', job('soft', 0));
    runUntil(world, jobs, 2000);
    assert.deepEqual(jobs.takeFinished('node1').map((result) => [result.ok, result.reason]), [[false, 'host node2 does not answer']]);
    jobs.start('node1', job('soft', 0, 'node3'));
    assert.deepEqual(jobs.takeFinished('node1').map((result) => result.reason), ['no soft fence is configured for node node3']);
  });

  it('a proxy cut off cannot run a job; one powered off takes its job along; an ended LRM never reports', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    world.networked.delete('node1');
    jobs.start('node1', job('off', 1));
    assert.deepEqual(jobs.takeFinished('node1').map((result) => result.reason), ['node node1 cannot reach the cluster network']);
    jobs.start('node3', job('off', 1));
    runUntil(world, jobs, 1000);
    world.powered.delete('node3');
    runUntil(world, jobs, 5000);
    assert.deepEqual(world.happened, [], 'the agent died with its proxy');
    assert.equal(jobs.size, 0);
    jobs.start('node1', job('off', 0, 'node3'));
    assert.equal(jobs.takeFinished('node1').length, 1, 'still cut off');
    world.networked.add('node1');
    jobs.start('node1', job('off', 0, 'node3'));
    world.lrms.set('node1', {});
    runUntil(world, jobs, 8000);
    assert.deepEqual(world.happened, ['7000 off node3'], 'the agents of a crashed LRM still act');
    assert.deepEqual(jobs.takeFinished('node1'), [], 'but the new LRM never hears of them');
  });

  it('a level the target does not have fails at once', () => {
    const world = new FakeWorld();
    const jobs = new SimFenceJobs(world);
    jobs.start('node1', job('off', 1, 'node3'));
    assert.deepEqual(jobs.takeFinished('node1').map((result) => result.reason), ['node node3 has no fence level 2']);
  });
});
