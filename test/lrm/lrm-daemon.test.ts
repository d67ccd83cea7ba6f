import { strict as assert } from 'node:assert';
import { ServiceTable } from '../../src/common/service-table.ts';
import { LrmResult } from '../../src/common/lrm-result.ts';
import { emptyManagerStatus, newServiceStatus, type ManagerStatus } from '../../src/common/manager-status.ts';
import { REFERENCE_TIMING } from '../../src/common/timing.ts';
import type { LrmEnv } from '../../src/env/env.ts';
import { lrmRound, requestLrmShutdown, startLrm } from '../../src/lrm/lrm-daemon.ts';
import { assign, FakeLrmEnv } from './fake-lrm-env.ts';

describe('LRM round', () => {
  it('a node reboot stops a service whose check was still running when the request came, before leaving', () => {
    const env = new FakeLrmEnv();
    env.shutdownPolicy = 'failover';
    env.holdsJobs = true;
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    lrmRound(env, local);
    const jobs = () => env.jobs.map((job) => `${job.request} ${job.uid ?? 'local'}`);
    assert.deepEqual(jobs(), ['started u1'], 'the check runs on');
    requestLrmShutdown(env, local, 'reboot');
    assert.equal(lrmRound(env, local), 'continue', 'waits for the check');
    env.finishHeldJobs();
    assert.equal(lrmRound(env, local), 'continue', 'stops the service');
    assert.deepEqual(jobs(), ['started u1', 'request_stop local']);
    assert.equal(lrmRound(env, local), 'continue', 'waits for the stop');
    env.finishHeldJobs();
    assert.equal(lrmRound(env, local), 'exit');
  });

  it('an idle LRM leaves cleanly only once its lease is released; while the store refuses, it stays armed', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    env.managerStatus = emptyManagerStatus();
    let canRelease = false;
    env.releaseAgentLease = () => {
      env.watchdogCalls.push('release');
      return canRelease;
    };
    for (let round = 0; round < 70; round++) lrmRound(env, local);
    assert.equal(local.state, 'active', 'the release failed: still active');
    assert.equal(env.watchdogCalls.includes('close'), false, 'no clean leave behind a lease still held');
    canRelease = true;
    lrmRound(env, local);
    assert.equal(local.state, 'wait_for_agent_lock');
    assert.deepEqual(env.watchdogCalls.slice(-2), ['release', 'close']);
  });

  it('never acts on a manager status older than one it has read (a stale read after a move)', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    const before = { ...env.managerStatus, version: { lease: 2, round: 7 } };
    env.managerStatus = before;
    lrmRound(env, local);
    lrmRound(env, local);
    assert.deepEqual(env.jobs.map((job) => `${job.request} ${job.uid}`), ['started u1']);
    // The master moved it away (a newer save shows it on node2); a stale read then shows the old save.
    const moved = newServiceStatus('started', 'node2', 'u2');
    env.managerStatus = { ...before, serviceStatus: ServiceTable.from([['vm:100', moved]]), version: { lease: 2, round: 8 } };
    lrmRound(env, local);
    local.results.clear(); // as after pruning: u1 is no longer in the status
    env.managerStatus = before;
    lrmRound(env, local);
    assert.deepEqual(env.jobs.map((job) => `${job.request} ${job.uid}`), ['started u1'], 'the older save is ignored: nothing started again');
    // A new master's first save (a higher lease generation) is taken in, whatever its round.
    env.managerStatus = { ...before, serviceStatus: ServiceTable.from([['vm:100', newServiceStatus('started', 'node1', 'u3')]]), version: { lease: 3, round: 1 } };
    lrmRound(env, local);
    assert.deepEqual(env.jobs.map((job) => `${job.request} ${job.uid}`), ['started u1', 'started u3']);
  });

  it('a restarted LRM ignores statuses older than the one its predecessor kept (chaos seed 2121)', () => {
    const env = new FakeLrmEnv();
    assign(env, 'vm:100', 'started', 'u1');
    const before = { ...env.managerStatus, version: { lease: 2, round: 7 } };
    env.managerStatus = { ...before, serviceStatus: ServiceTable.from([['vm:100', newServiceStatus('started', 'node2', 'u2')]]), version: { lease: 2, round: 8 } };
    const first = startLrm(env);
    lrmRound(env, first);
    assert.deepEqual(env.kept, { lease: 2, round: 8 }, 'kept before anything is acted on');
    // The LRM process dies; the next one reads the save of before the move (a stale read).
    env.managerStatus = before;
    const next = startLrm(env);
    lrmRound(env, next);
    lrmRound(env, next);
    assert.deepEqual(env.jobs, [], 'vm:100 is not started again on its old node');
  });

  it('goes active with a service, feeding the watchdog only after each successful renewal', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    lrmRound(env, local);
    assert.equal(local.state, 'wait_for_agent_lock', 'no services: stays idle, no watchdog');
    assert.deepEqual(env.watchdogCalls, ['claim']);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    assert.equal(local.state, 'active');
    lrmRound(env, local);
    assert.deepEqual(env.watchdogCalls, ['claim', 'open', 'feed']);
    env.hasLease = false;
    lrmRound(env, local);
    assert.equal(local.state, 'lost_agent_lock');
    assert.deepEqual(env.watchdogCalls, ['claim', 'open', 'feed'], 'no keepalive without a renewal');
  });

  it('retries a failed start max_restart times, one per round, before reporting the error', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1', 2);
    env.answer = () => LrmResult.error;
    for (let round = 0; round < 3; round++) lrmRound(env, local);
    assert.equal(env.jobs.length, 3, 'one attempt per round');
    assert.equal(env.published?.results.get('u1')?.result, LrmResult.error, 'reported after 2 retries');
    lrmRound(env, local);
    assert.equal(env.jobs.length, 3, 'a reported request is not executed again');
  });

  it('with max_restart 0 reports the first failure', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1', 0);
    env.answer = () => LrmResult.error;
    lrmRound(env, local);
    assert.equal(env.published?.results.get('u1')?.result, LrmResult.error);
  });

  it('goes idle, releasing its watchdog, after 60 rounds without services', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    env.managerStatus = emptyManagerStatus();
    for (let round = 0; round < 60; round++) lrmRound(env, local);
    assert.equal(local.state, 'active');
    lrmRound(env, local);
    assert.equal(local.state, 'wait_for_agent_lock');
    assert.deepEqual(env.watchdogCalls.slice(-2), ['release', 'close']);
  });

  it('gives up its lease when the master marks its node for fencing', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    env.managerStatus = { ...env.managerStatus, nodeStatus: { node1: 'fence' } };
    lrmRound(env, local);
    assert.equal(local.state, 'lost_agent_lock');
  });
});

describe('LRM restart: one path in every environment (claim, adopt, hand over)', () => {
  const RENEWAL_MAX_MS = REFERENCE_TIMING.renewalMaxMs;

  it('a new LRM that claimed its predecessor\'s registration adopts the agent lease and feeds it, with no new registration', () => {
    const env = new FakeLrmEnv();
    env.claimed = { keepaliveAgeMs: 4_000 };
    assign(env, 'vm:100', 'freeze', 'u1');
    const local = startLrm(env);
    assert.equal(local.isWatchdogOpen, true);
    lrmRound(env, local);
    assert.equal(local.state, 'active', 'frozen services on a claimed registration need the lease at once');
    assert.deepEqual(env.watchdogCalls, ['claim', `adopt ${4_000 + RENEWAL_MAX_MS}`, 'feed']);
  });

  it('without a claim there is nothing to adopt and no registration until the lease is taken', () => {
    const env = new FakeLrmEnv();
    assign(env, 'vm:100', 'freeze', 'u1');
    const local = startLrm(env);
    lrmRound(env, local);
    assert.equal(local.state, 'wait_for_agent_lock', 'frozen services alone need no lease');
    assert.deepEqual(env.watchdogCalls, ['claim']);
  });

  it('adoption is retried while the store does not answer, the bound growing with the time, until it passes the lease timeout', () => {
    const env = new FakeLrmEnv();
    env.claimed = { keepaliveAgeMs: 4_000 };
    env.canAdopt = false;
    env.hasLease = false;
    assign(env, 'vm:100', 'freeze', 'u1');
    const local = startLrm(env);
    env.timeMs = 20_000;
    lrmRound(env, local);
    assert.deepEqual(env.watchdogCalls, ['claim', `adopt ${4_000 + RENEWAL_MAX_MS}`, `adopt ${24_000 + RENEWAL_MAX_MS}`]);
    env.timeMs = REFERENCE_TIMING.leaseTimeoutMs;
    lrmRound(env, local);
    assert.equal(env.watchdogCalls.length, 3, 'the bound passed the lease timeout: nothing left to adopt');
    assert.equal(local.pendingAdoption, undefined);
    assert.notEqual(env.watchdogCalls.at(-1), 'feed', 'no keepalive without the lease: the registration runs out');
  });

  it('a restart with services that may still run hands the registration over and keeps the lease', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    requestLrmShutdown(env, local, 'restart');
    assign(env, 'vm:100', 'freeze', 'u2');
    assert.equal(lrmRound(env, local), 'exit');
    assert.deepEqual(env.watchdogCalls.slice(-2), ['feed', 'handOver']);
    assert.equal(env.watchdogCalls.includes('release'), false, 'the lease stays with the node');
  });

  it('a restart with nothing of its own left closes cleanly and releases the lease', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    assign(env, 'vm:100', 'started', 'u1');
    lrmRound(env, local);
    requestLrmShutdown(env, local, 'restart');
    env.managerStatus = emptyManagerStatus();
    assert.equal(lrmRound(env, local), 'exit');
    assert.deepEqual(env.watchdogCalls.slice(-2), ['release', 'close'], 'the lease released first: only then the clean leave');
  });

  it('a claimed registration with nothing of this node\'s to protect is left cleanly, and the lease given up', () => {
    const env = new FakeLrmEnv();
    env.claimed = { keepaliveAgeMs: 1_000 };
    const local = startLrm(env);
    lrmRound(env, local);
    assert.deepEqual(env.watchdogCalls, ['claim', `adopt ${1_000 + RENEWAL_MAX_MS}`, 'release', 'close']);
    assert.equal(local.isWatchdogOpen, false);
  });
});
