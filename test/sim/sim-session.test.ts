import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../src/sim/scenario.ts';
import { defaultScenario, readScenarioDir, saveSessionDir } from '../../src/sim/session-files.ts';
import { SimSession } from '../../src/sim/sim-session.ts';
import { Simulator } from '../../src/sim/simulator.ts';

const FIXTURES = 'fixtures/scenarios';

/** The trace of a plain run of a scenario directory, as `ha-manager simulate --trace` writes it. */
function replayTrace(dir: string, seed = 1): string {
  const lines: string[] = [];
  new Simulator(loadScenario(dir), { seed, onEvent: (event) => lines.push(JSON.stringify(event)) }).run();
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function stepRounds(session: SimSession, rounds: number): void {
  for (let round = 0; round < rounds; round++) assert.equal(session.step(), undefined, `the session ended at round ${session.rounds}`);
}

function saved(session: SimSession, files = defaultScenario().files): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'sim-session-')), 'saved');
  saveSessionDir(dir, { files, cmdlist: session.cmdlist(), seed: session.seed, timeMs: session.timeMs });
  return dir;
}

describe('SimSession: the simulator step by step, with actions recorded as scenario commands', () => {
  it('without actions, run to its end, writes the same trace as a plain run of the scenario', () => {
    for (const name of ['failover-basic', 'maintenance-with-group', 'fence-level-fallback', 'disarm-pending-move']) {
      const dir = join(FIXTURES, name);
      const session = new SimSession(loadScenario(dir), { seed: 1 });
      session.finish();
      assert.equal(session.traceText(), replayTrace(dir), name);
    }
  });

  it('records actions before the first slot, right after a slot and between slots; the saved directory replays to the same trace', () => {
    const { scenario, files } = defaultScenario();
    const session = new SimSession(scenario, { seed: 1 });
    assert.deepEqual(session.act('service vm:104 migrate node2'), { kind: 'done', when: 'next-slot', recorded: 'service vm:104 migrate node2' });
    stepRounds(session, 1); // the first slot, at 20 s: the boot batch and the queued migrate
    assert.deepEqual(session.act('service  vm:101 stopped'), { kind: 'done', when: 'now', recorded: 'service vm:101 stopped' });
    stepRounds(session, 2);
    assert.deepEqual(session.act('power node2 off'), { kind: 'done', when: 'now', recorded: 'after 40 power node2 off' });
    assert.equal(session.simulator.cluster.node('node2').isPoweredOn, false, 'an action between slots runs at once');
    stepRounds(session, 30);
    assert.deepEqual(session.act('power node2 on'), { kind: 'done', when: 'now', recorded: 'after 40 power node2 on' }); // 660 s, the last slot at 620 s
    stepRounds(session, 3);
    const dir = saved(session, files);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'cmdlist'), 'utf8')), [
      ['power node1 on', 'power node2 on', 'power node3 on', 'service vm:104 migrate node2', 'service vm:101 stopped', 'after 40 power node2 off'],
      [],
      [],
      [],
      [],
      [],
      ['after 40 power node2 on'],
      [], // the slot at 720 s, run idle
    ]);
    const replay = replayTrace(dir);
    assert.ok(replay.startsWith(session.traceText()), 'the session so far is the start of the replay');
    session.finish();
    assert.equal(session.traceText(), replay, 'run to its end, the session wrote the replay, byte for byte');
    assert.match(replay, /"ev":"reset","target":"node2","reason":"power"/);
    assert.match(replay, /"ev":"fence","target":"node2"/);
  });

  it('the saved directory replays through `ha-manager simulate --trace` to the same bytes', () => {
    const { scenario, files } = defaultScenario();
    const session = new SimSession(scenario, { seed: 1 });
    stepRounds(session, 8);
    assert.equal(session.act('power node1 off').kind, 'done');
    stepRounds(session, 20);
    assert.equal(session.act('service vm:102 relocate node3').kind, 'done');
    const dir = saved(session, files);
    session.finish();
    const trace = join(dir, '..', 'trace.jsonl');
    execFileSync('./bin/ha-manager', ['simulate', dir, '--trace', trace, '--quiet']);
    assert.equal(readFileSync(trace, 'utf8'), session.traceText());
  });

  it('a session that ran idle past its last batch keeps those slots, so the replay runs as long', () => {
    const { scenario, files } = defaultScenario();
    const session = new SimSession(scenario, { seed: 1 });
    stepRounds(session, 60); // 1200 s: the scenario alone ends at 620 s
    const dir = saved(session, files);
    assert.ok(replayTrace(dir).startsWith(session.traceText()));
    assert.equal(JSON.parse(readFileSync(join(dir, 'cmdlist'), 'utf8')).length, 12);
    assert.match(readFileSync(join(dir, 'README'), 'utf8'), /Saved from a simulator session at t=1200 s\. Replay: ha-manager simulate /);
  });

  it('between slots of rounds that last no whole seconds, runs the action as the next round starts, and the replay does the same', () => {
    const { files } = defaultScenario();
    const root = mkdtempSync(join(tmpdir(), 'sim-session-'));
    const origin = join(root, 'fence-timeout-30');
    mkdirSync(origin);
    // fence_timeout 30: rounds of 1.5 s, so a round ends between two whole seconds after a slot.
    for (const [name, text] of [...files, ['ha.cfg', 'ha: cluster\n\tfence_timeout 30\n'] as const]) writeFileSync(join(origin, name), text);
    const start = readScenarioDir(origin);
    const session = new SimSession(start.scenario, { seed: 1 });
    stepRounds(session, 2);
    assert.equal(session.timeMs, 3000, 'the first slot ran at 1.5 s, 1.5 s ago');
    assert.deepEqual(session.act('power node2 off'), { kind: 'done', when: 'next-round', recorded: 'after 2 power node2 off' });
    assert.equal(session.simulator.cluster.node('node2').isPoweredOn, true);
    stepRounds(session, 1);
    assert.equal(session.simulator.cluster.node('node2').isPoweredOn, false);
    const dir = saved(session, start.files);
    session.finish();
    assert.equal(session.traceText(), replayTrace(dir));
  });

  it('keeps the files it started from, but no expectations of the original run', () => {
    const { scenario, files } = readScenarioDir(join(FIXTURES, 'fence-level-fallback'));
    const session = new SimSession(scenario, { seed: 1 });
    stepRounds(session, 3);
    const dir = saved(session, files);
    for (const name of ['hardware_status', 'service_config', 'fence.cfg']) {
      assert.equal(readFileSync(join(dir, name), 'utf8'), readFileSync(join(FIXTURES, 'fence-level-fallback', name), 'utf8'), name);
    }
    assert.throws(() => readFileSync(join(dir, 'expect.json')), /ENOENT/);
    session.finish();
    assert.equal(session.traceText(), replayTrace(dir));
  });

  it('refuses what is no action, and anything once the session ends', () => {
    const session = new SimSession(defaultScenario().scenario, { seed: 1 });
    assert.match(refusal(session.act('power node9 off')), /unknown node 'node9'/);
    assert.match(refusal(session.act('delay 100')), /'delay' is not an action of a session/);
    assert.match(refusal(session.act('stale node1 10')), /'stale' is not an action/);
    assert.match(refusal(session.act('fence-device ipmi fail')), /unknown fence device 'ipmi' \(the scenario has no fence.cfg\)/);
    session.finish();
    assert.match(refusal(session.act('power node1 off')), /The session has ended \(done\)/);
  });

  it('saves only into a new or empty directory', () => {
    const session = new SimSession(defaultScenario().scenario, { seed: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'sim-session-'));
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'cmdlist'), '[]');
    assert.throws(() => saveSessionDir(join(dir, 'taken'), { files: defaultScenario().files, cmdlist: session.cmdlist(), seed: 1, timeMs: 0 }), /taken: Exists and is not empty/);
    assert.equal(readFileSync(join(dir, 'taken', 'cmdlist'), 'utf8'), '[]');
  });
});

function refusal(result: ReturnType<SimSession['act']>): string {
  assert.equal(result.kind, 'refused');
  return result.message;
}
