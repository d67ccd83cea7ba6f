import { strict as assert } from 'node:assert';
import { emptyManagerStatus, type FenceAttempt } from '../../src/common/manager-status.ts';
import { lrmRound, startLrm } from '../../src/lrm/lrm-daemon.ts';
import { FakeLrmEnv } from './fake-lrm-env.ts';

/** The LRM as a fence proxy: it runs each job the master names it for once, and reports it until the master lets go. */

function withFencing(env: FakeLrmEnv, fencing: Record<string, FenceAttempt>): void {
  env.managerStatus = { ...emptyManagerStatus(), version: { lease: 1, round: (env.managerStatus.version?.round ?? 0) + 1 }, fencing };
}

describe('LRM: fence proxy', () => {
  it('starts a job named for this node once, publishes its result, and forgets it when the master moves on', () => {
    const env = new FakeLrmEnv();
    const local = startLrm(env);
    withFencing(env, {
      node3: { uid: 'f1', proxy: 'node1', action: 'off', level: 0, failedPasses: 0 },
      node2: { uid: 'f2', proxy: 'node3', action: 'off', level: 0, failedPasses: 0 },
    });
    lrmRound(env, local);
    lrmRound(env, local);
    assert.deepEqual(env.fenceJobs, [{ uid: 'f1', target: 'node3', action: 'off', level: 0 }], 'only its own job, once, even while idle');
    env.fenceFinished.push({ uid: 'f1', target: 'node3', action: 'off', level: 0, ok: true });
    lrmRound(env, local);
    assert.deepEqual([...(env.published?.fenceResults?.keys() ?? [])], ['f1']);
    withFencing(env, { node3: { uid: 'f3', proxy: 'node1', action: 'on', level: 0, failedPasses: 0 } });
    lrmRound(env, local);
    assert.deepEqual(env.fenceJobs.map((job) => `${job.uid} ${job.action}`), ['f1 off', 'f3 on']);
    assert.equal(env.published?.fenceResults, undefined, 'f1 is no longer in the master status: dropped');
  });
});
