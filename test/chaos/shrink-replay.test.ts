import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_CHAOS_CONFIG } from '../../src/chaos/chaos-config.ts';
import { commandCount } from '../../src/chaos/chaos-plan.ts';
import { generatePlan } from '../../src/chaos/generate-plan.ts';
import { runPlan, runScenarioChecked } from '../../src/chaos/run-plan.ts';
import { shrinkPlan } from '../../src/chaos/shrink.ts';
import { writeScenario } from '../../src/chaos/write-scenario.ts';
import { loadScenario } from '../../src/sim/scenario.ts';

const BIN = resolve('bin/ha-manager');
const ROOT = resolve('.');

describe('a failing seed becomes a shrunk scenario that simulate replays', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-chaos-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the same seed gives the same run', () => {
    const events = (seed: number) => {
      const lines: string[] = [];
      runPlan(generatePlan(seed, DEFAULT_CHAOS_CONFIG), { onEvent: (event) => lines.push(JSON.stringify(event)) });
      return lines;
    };
    const first = events(11);
    assert.ok(first.length > 300, `a chaos run has many events, got ${first.length}`);
    assert.deepEqual(events(11), first);
    assert.notDeepEqual(events(12), first);
  });

  it('shrinks a planted-bug seed to fewer commands that still break the same invariant, and replays from the directory', () => {
    const bug = 'feed-without-renewal' as const;
    // Seen at the recovery itself: the fed node still runs the service the master recovers.
    const seed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].find((candidate) => runPlan(generatePlan(candidate, DEFAULT_CHAOS_CONFIG), { bug }).violation?.invariant === 'recover-not-running');
    assert.ok(seed !== undefined, 'no seed in 1..10 catches the planted bug');
    const plan = generatePlan(seed, DEFAULT_CHAOS_CONFIG);
    const violation = runPlan(plan, { bug }).violation!;
    const shrunk = shrinkPlan(plan, { violation, bug });
    assert.equal(shrunk.violation.invariant, 'recover-not-running');
    assert.ok(commandCount(shrunk.plan) < commandCount(plan), `${commandCount(shrunk.plan)} of ${commandCount(plan)} commands`);
    const scenarioDir = join(dir, `seed-${seed}`);
    writeScenario(scenarioDir, { plan: shrunk.plan, violation: shrunk.violation, originalCommands: commandCount(plan) });
    const replayed = runScenarioChecked(loadScenario(scenarioDir), { seed, bug }).violation;
    assert.deepEqual(replayed, shrunk.violation);
    assert.equal(runScenarioChecked(loadScenario(scenarioDir), { seed }).violation, undefined, 'without the bug the scenario passes');
    assert.match(readFileSync(join(scenarioDir, 'README'), 'utf8'), new RegExp(`Chaos seed ${seed}: recover-not-running`));
  });

  it('a seed whose services run unmanaged before HA starts keeps them in the scenario it writes', () => {
    const bug = 'recover-on-free-lease' as const;
    const seed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].find((candidate) => runPlan(generatePlan(candidate, DEFAULT_CHAOS_CONFIG), { bug }).violation !== undefined);
    assert.ok(seed !== undefined, 'no seed in 1..10 catches recover-on-free-lease');
    const plan = generatePlan(seed, DEFAULT_CHAOS_CONFIG);
    assert.ok(Object.keys(plan.running).length > 0, 'the bug needs a service that runs unmanaged');
    const violation = runPlan(plan, { bug }).violation!;
    const scenarioDir = join(dir, `unmanaged-${seed}`);
    writeScenario(scenarioDir, { plan, violation, originalCommands: commandCount(plan) });
    assert.deepEqual(loadScenario(scenarioDir).running, plan.running);
    assert.deepEqual(runScenarioChecked(loadScenario(scenarioDir), { seed, bug }).violation, violation);
    assert.equal(runScenarioChecked(loadScenario(scenarioDir), { seed }).violation, undefined, 'without the bug the scenario passes');
  });

  it('the CLI prints seed and rates first, ends with the summary line, and writes the scenario of a violation', () => {
    let output = '';
    try {
      execFileSync(BIN, ['simulate', '--chaos', '--seeds', '1..4', '--plant', 'second-master', '--shrink', '1', '--workers', '1', '--out', dir], { encoding: 'utf8', stdio: 'pipe' });
      assert.fail('a violation must exit non-zero');
    } catch (error) {
      output = (error as { stdout: string }).stdout;
      assert.equal((error as { status: number }).status, 1);
    }
    const lines = output.trim().split('\n');
    assert.match(lines[0]!, /^chaos: seeds 1\.\.4, planted bug second-master; 5 nodes, 20 services, .*weights power:\d/);
    assert.equal(lines.at(-1), '4 seeds, 4 violations');
    assert.ok(lines.some((line) => /^VIOLATION seed 1: single-master at t=\d+/.test(line)));
    const replay = lines.find((line) => line.startsWith('seed 1: scenario '));
    assert.ok(replay, output);
    const status = (() => {
      try {
        execFileSync(BIN, ['simulate', join(dir, 'seed-1'), '--seed', '1', '--check', '--quiet', '--plant', 'second-master'], { stdio: 'pipe' });
        return 0;
      } catch (error) {
        return (error as { status: number }).status;
      }
    })();
    assert.equal(status, 1, 'the replay finds the violation again');
  });

  it('runs its workers from dist/ as from the sources: two worker processes, both ways', function () {
    this.timeout(120_000);
    // The CLI runs dist/ once built (bin/launcher.cjs); its chaos workers must be forked in that form
    // too. 40 seeds: two chunks of CHUNK_SEEDS, so that two workers are forked.
    const forms = existsSync(join(ROOT, 'dist', '.build-stamp')) ? ['1', '0'] : ['0'];
    for (const isDist of forms) {
      const env = { ...process.env, ...(isDist === '1' ? { HA_MANAGER_DIST: '1' } : { HA_MANAGER_TSX: '1' }) };
      const output = execFileSync(BIN, ['simulate', '--chaos', '--seeds', '1..40', '--workers', '2'], { encoding: 'utf8', stdio: 'pipe', env });
      assert.equal(output.trim().split('\n').at(-1), '40 seeds, 0 violations', `from ${isDist === '1' ? 'dist/' : 'the sources'}`);
    }
  });

  it('a clean run exits 0 with `N seeds, 0 violations`', () => {
    const output = execFileSync(BIN, ['simulate', '--chaos', '--seed', '3', '--workers', '1'], { encoding: 'utf8', stdio: 'pipe' });
    assert.equal(output.trim().split('\n').at(-1), '1 seeds, 0 violations');
  });
});
