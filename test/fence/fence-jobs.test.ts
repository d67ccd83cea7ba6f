import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FenceJobResult } from '../../src/common/lrm-status.ts';
import type { FenceConfig, FenceNodeSettings } from '../../src/fence/fence-config.ts';
import { FenceJobs } from '../../src/fence/fence-jobs.ts';
import { FenceRunner } from '../../src/fence/fence-runner.ts';

/** node2 has level `ipmi` (fence_dummy type=fail, a password) then level `power` (two type=file PDUs). */
function fenceConfig(dir: string, node2: Partial<FenceNodeSettings> = {}): FenceConfig {
  return {
    devices: [
      { id: 'ipmi', name: 'ipmi', agent: 'fence_dummy', options: { type: 'fail', power_timeout: '1', password: 'bmc-pass-77' }, line: 1 },
      { id: 'power:1', name: 'power', agent: 'fence_dummy', options: { type: 'file', status_file: join(dir, 'pdu1') }, line: 2 },
      { id: 'power:2', name: 'power', agent: 'fence_dummy', options: { type: 'file', status_file: join(dir, 'pdu2') }, line: 3 },
    ],
    connects: [
      { deviceId: 'ipmi', node: 'node2', options: {}, line: 4 },
      { deviceId: 'power:1', node: 'node2', options: {}, line: 5 },
      { deviceId: 'power:2', node: 'node2', options: {}, line: 6 },
    ],
    nodes: { node2: { watchdog: 'default', line: 7, ...node2 } },
    proxyOrder: [],
  };
}

describe('fence jobs of a proxy node', function () {
  this.timeout(60_000);
  let dir: string;
  let config: FenceConfig;
  let logged: string[];
  let finishedCount: number;
  let jobs: FenceJobs;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-fence-jobs-'));
    writeFileSync(join(dir, 'pdu1'), 'on');
    writeFileSync(join(dir, 'pdu2'), 'on');
    config = fenceConfig(dir);
    logged = [];
    finishedCount = 0;
    jobs = new FenceJobs({ fenceConfig: () => config, runner: new FenceRunner(), log: (level, line) => logged.push(`${level} ${line}`), onFinished: () => finishedCount++ });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function results(count: number): Promise<FenceJobResult[]> {
    const taken: FenceJobResult[] = [];
    for (let waitedMs = 0; taken.length < count && waitedMs < 40_000; waitedMs += 50) {
      taken.push(...jobs.take());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return taken;
  }

  it('runs level 2 (two PDUs off) in the background and reports it once', async () => {
    jobs.start({ uid: 'f1', target: 'node2', action: 'off', level: 1 });
    assert.equal(jobs.runningCount, 1);
    assert.deepEqual(jobs.take(), [], 'nothing yet: the agents run in the background');
    const [result] = await results(1);
    assert.deepEqual(result, { uid: 'f1', target: 'node2', action: 'off', level: 1, ok: true });
    assert.deepEqual([readFileSync(join(dir, 'pdu1'), 'utf8'), readFileSync(join(dir, 'pdu2'), 'utf8')], ['off', 'off']);
    assert.equal(finishedCount, 1);
    assert.deepEqual(jobs.take(), []);
  });

  it('does not start a job twice for one uid, running or finished', async () => {
    jobs.start({ uid: 'f2', target: 'node2', action: 'on', level: 1 });
    jobs.start({ uid: 'f2', target: 'node2', action: 'on', level: 1 });
    assert.equal(jobs.runningCount, 1);
    assert.equal((await results(1)).length, 1);
    jobs.start({ uid: 'f2', target: 'node2', action: 'on', level: 1 });
    assert.equal(jobs.runningCount, 0);
    assert.equal(logged.filter((line) => line.includes('started')).length, 1);
  });

  it('fails level 1 with a masked reason naming the device', async () => {
    jobs.start({ uid: 'f3', target: 'node2', action: 'off', level: 0 });
    const [result] = await results(1);
    assert.equal(result?.ok, false);
    assert.equal(result?.reason, "level 'ipmi': device 'ipmi': fence_dummy off: exit 1: ERROR: Failed: Timed out waiting to power OFF");
    assert.ok(logged.some((line) => line.startsWith('warn fence job f3: level 1 (off) for node \'node2\' failed')));
  });

  it('fails a level the node does not have, and a job without fence.cfg', async () => {
    jobs.start({ uid: 'f4', target: 'node2', action: 'off', level: 2 });
    jobs.start({ uid: 'f5', target: 'node3', action: 'off', level: 0 });
    const taken = await results(2);
    assert.deepEqual(taken.map((result) => result.reason), ["node 'node2' has no fence level 3 in this node's fence.cfg (it has 2)", "node 'node3' has no fence level 1 in this node's fence.cfg (it has 0)"]);
    const none = new FenceJobs({ fenceConfig: () => undefined, runner: new FenceRunner(), log: () => {}, onFinished: () => {} });
    none.start({ uid: 'f6', target: 'node2', action: 'off', level: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(none.take().map((result) => result.reason), ['this node reads no fence.cfg']);
  });

  it('soft fence: runs the soft fence when the check answers, with the check and command under sh -c', async () => {
    const marker = join(dir, 'restarted');
    config = fenceConfig(dir, { softCheck: 'test -d /', softFence: `echo restarted > '${marker}'; echo done` });
    jobs.start({ uid: 's1', target: 'node2', action: 'soft', level: 0 });
    const [result] = await results(1);
    assert.deepEqual(result, { uid: 's1', target: 'node2', action: 'soft', level: 0, ok: true, reason: 'host answers; soft fence ran: soft fence exit 0: done' });
    assert.equal(readFileSync(marker, 'utf8'), 'restarted\n');
  });

  it('soft fence: does not run the soft fence when the host does not answer; none configured fails', async () => {
    const marker = join(dir, 'restarted');
    config = fenceConfig(dir, { softCheck: 'echo "no route to host" >&2; exit 3', softFence: `touch '${marker}'` });
    jobs.start({ uid: 's2', target: 'node2', action: 'soft', level: 0 });
    const [result] = await results(1);
    assert.deepEqual([result?.ok, result?.reason], [false, 'host does not answer: check exit 3: no route to host']);
    assert.throws(() => readFileSync(marker));
    config = fenceConfig(dir);
    jobs.start({ uid: 's3', target: 'node2', action: 'soft', level: 0 });
    assert.equal((await results(1))[0]?.reason, "no soft fence configured for node 'node2'");
  });

  it('masks the secrets of the target\'s devices in a soft fence\'s output', async () => {
    config = fenceConfig(dir, { softCheck: 'true', softFence: 'echo "ssh: bad password bmc-pass-77" >&2; exit 255' });
    jobs.start({ uid: 's4', target: 'node2', action: 'soft', level: 0 });
    const [result] = await results(1);
    assert.equal(result?.reason, 'host answers; soft fence failed: soft fence exit 255: ssh: bad password ***');
  });
});
