import { strict as assert } from 'node:assert';
import { newServiceStatus } from '../../src/common/manager-status.ts';
import { ServiceTable } from '../../src/common/service-table.ts';
import { lrmRound, startLrm } from '../../src/lrm/lrm-daemon.ts';
import { assign, FakeLrmEnv } from './fake-lrm-env.ts';

function disarm(env: FakeLrmEnv, state: 'disarming' | 'disarmed' = 'disarming'): void {
  env.managerStatus = { ...env.managerStatus, disarm: { mode: 'freeze', state } };
}

function arm(env: FakeLrmEnv): void {
  const { disarm: _dropped, ...armed } = env.managerStatus;
  env.managerStatus = armed;
}

/** A service of another node migrating towards node1 (the FakeLrmEnv's node). */
function incoming(env: FakeLrmEnv, sid: string, uid: string): void {
  const service = newServiceStatus('migrate', 'node2', uid);
  service.target = 'node1';
  env.managerStatus = { ...env.managerStatus, serviceStatus: ServiceTable.from([...env.managerStatus.serviceStatus, [sid, service]]) };
}

describe('LRM and a disarm of the HA stack', () => {
  it('an active LRM seeing the request releases lease and watchdog, in mode disarm, before executing anything', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    assert.equal(local.state, 'active');
    assign(env, 'vm:101', 'started', 'u2'); // requested just before the disarm: must stay pending
    disarm(env);
    lrmRound(env, local);
    assert.equal(local.state, 'wait_for_agent_lock');
    assert.equal(local.mode, 'disarm');
    assert.equal(env.published?.mode, 'disarm', 'the master waits for every online LRM to say so');
    assert.deepEqual(env.watchdogCalls.slice(-2), ['release', 'close']);
    assert.deepEqual(env.jobs.map((job) => job.uid), ['u1'], 'the request of the disarm round was not executed');
  });

  it('stays without lease and watchdog while disarmed, active services or not; takes the lease again once armed', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    disarm(env, 'disarmed');
    for (let round = 0; round < 5; round++) lrmRound(env, local);
    assert.equal(local.state, 'wait_for_agent_lock');
    assert.deepEqual(env.watchdogCalls, ['claim'], 'never armed while disarmed');
    assert.equal(env.jobs.length, 0);
    arm(env);
    lrmRound(env, local);
    assert.equal(local.state, 'active');
    assert.equal(local.mode, 'active');
    assert.deepEqual(env.watchdogCalls, ['claim', 'open']);
    assert.deepEqual(env.jobs.map((job) => job.uid), ['u1']);
  });

  it('a job already running ends first: the lease is kept until its result is in', () => {
    const env = new FakeLrmEnv();
    env.holdsJobs = true;
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    assert.equal(env.jobs.length, 1);
    disarm(env);
    lrmRound(env, local);
    assert.equal(local.state, 'active', 'the start still runs');
    assert.ok(!env.watchdogCalls.includes('release'));
    env.finishHeldJobs();
    lrmRound(env, local);
    assert.equal(local.state, 'wait_for_agent_lock');
    assert.equal(env.published?.results.get('u1')?.result, 0, 'the result of the job is reported');
  });

  it('a node in manual maintenance keeps mode maintenance, and lets go once its services have left', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    env.managerStatus = { ...env.managerStatus, nodeRequest: { node1: { maintenance: true } } };
    disarm(env);
    lrmRound(env, local);
    assert.equal(local.mode, 'maintenance');
    assert.equal(local.state, 'maintenance');
    env.managerStatus = { ...env.managerStatus, nodeRequest: {}, serviceStatus: ServiceTable.empty() };
    lrmRound(env, local);
    assert.equal(local.mode, 'disarm');
    assert.equal(local.state, 'wait_for_agent_lock');
  });
});

describe('LRM: services moving towards its node count as active', () => {
  it('an idle target takes its lease as soon as a move towards it is requested', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    lrmRound(env, local);
    assert.equal(local.state, 'wait_for_agent_lock');
    incoming(env, 'vm:200', 'u9');
    lrmRound(env, local);
    assert.equal(local.state, 'active', 'protected before the service lands');
    assert.equal(env.jobs.length, 0, 'the move is executed by the source, not here');
  });

  it('a restarting LRM waits for a move towards it before it exits', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    incoming(env, 'vm:200', 'u9');
    lrmRound(env, local);
    local.shutdown = { kind: 'restart', atMs: 0 };
    local.mode = 'restart';
    assert.equal(lrmRound(env, local), 'continue');
    env.managerStatus = { ...env.managerStatus, serviceStatus: ServiceTable.empty() };
    assert.equal(lrmRound(env, local), 'exit');
  });
});
