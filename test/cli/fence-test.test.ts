import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeAgent } from '../fence/fake-agent.ts';
import { clusterDir, runCli } from './run-cli.ts';

describe('ha-manager fence-test', function () {
  this.timeout(60_000);

  function fenceCfg(dir: string, lines: readonly string[]): void {
    writeFileSync(join(dir, 'fence.cfg'), `${lines.join('\n')}\n`, { mode: 0o600 });
  }

  it('asks every device of every level for its status; a failed one makes exit 1; passwords never shown', async () => {
    const dir = clusterDir();
    const fake = fakeAgent();
    writeFileSync(join(dir, 'pdu1'), 'on');
    writeFileSync(join(dir, 'pdu2'), 'off');
    fenceCfg(dir, [
      'device bmc fence_fake mode=echo-password password=Bmc-Secret-1',
      `device power:1 fence_dummy type=file status_file=${join(dir, 'pdu1')}`,
      `device power:2 fence_dummy type=file status_file=${join(dir, 'pdu2')}`,
      'device kdump fence_kdump',
      'connect bmc node=node2',
      'connect power:1 node=node2',
      'connect power:2 node=node2',
      'connect kdump node=node2 nodename=127.0.0.2',
    ]);
    const env = { PATH: fake.env.PATH!, FAKE_AGENT_DIR: fake.dir };
    const json = await runCli(['fence-test', 'node2', '--output-format', 'json', '--dir', dir], env);
    assert.equal(json.code, 1, json.stderr);
    assert.equal(json.stderr, "ha-manager: 1 of 4 fence device(s) of node 'node2' failed to answer: see the reason of each\n");
    const tests = JSON.parse(json.stdout) as Array<{ level: number; level_name: string; device: string; agent: string; power: string; seconds: number; reason: string }>;
    assert.deepEqual(
      tests.map((test) => [test.level, test.level_name, test.device, test.agent, test.power]),
      [
        [1, 'bmc', 'bmc', 'fence_fake', 'failed'],
        [2, 'power', 'power:1', 'fence_dummy', 'on'],
        [2, 'power', 'power:2', 'fence_dummy', 'off'],
        [3, 'kdump', 'kdump', 'fence_kdump', 'untested'],
      ],
    );
    assert.equal(tests[0]!.reason, 'fence_fake status: exit 1: ERROR: Login refused with password ***');
    assert.ok(tests.every((test) => typeof test.seconds === 'number' && test.seconds >= 0 && test.seconds < 30));
    assert.deepEqual(fake.argcs(), [0, 0], 'metadata and status, both with options on stdin only');
    const text = await runCli(['fence-test', 'node2', '--dir', dir], env);
    assert.equal(text.code, 1);
    assert.equal(text.stdout.includes('Bmc-Secret-1'), false);
    assert.match(text.stdout, /^LEVEL +DEVICE +AGENT +POWER +TIME +REASON\n1 bmc +bmc +fence_fake +failed +\d+\.\d\ds +fence_fake status: exit 1: ERROR: Login refused with password \*\*\*\n2 power +power:1 +fence_dummy +on +\d+\.\d\ds\n/);
    fake.remove();
  });

  it('exits 0 when every device answers, and 1 for a node without a fence level', async () => {
    const dir = clusterDir();
    writeFileSync(join(dir, 'pdu1'), 'on');
    fenceCfg(dir, [`device power fence_dummy type=file status_file=${join(dir, 'pdu1')}`, 'connect power node=node1']);
    const ok = await runCli(['fence-test', 'node1', '--dir', dir]);
    assert.deepEqual([ok.code, ok.stderr], [0, '']);
    const none = await runCli(['fence-test', 'node3', '--dir', dir]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, "ha-manager: Node 'node3' has no fence level in fence.cfg (see 'ha-manager fence plan'): nothing to test\n");
  });
});
