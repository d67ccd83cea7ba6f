import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatEvent } from '../../src/sim/log-format.ts';
import { checkExpectation, foldTrace, validateExpectation, type ScenarioExpectation } from './expectations.ts';
import { runScenario } from './run-scenario.ts';

// Our own scenarios: inputs as in the conformance format, expectations written by hand (see
// fixtures/scenarios/README.md). SCENARIO_LOG=1 prints the readable log of a failing scenario.
const ROOT = resolve('fixtures/scenarios');
const BIN = resolve('bin/ha-manager');
const SCENARIOS_MIN = 15;

const scenarioDirs = existsSync(ROOT)
  ? readdirSync(ROOT, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
  : [];

function readExpectation(name: string): ScenarioExpectation {
  const json: unknown = JSON.parse(readFileSync(join(ROOT, name, 'expect.json'), 'utf8'));
  const problems = validateExpectation(json);
  assert.deepEqual(problems, [], `${name}/expect.json: ${problems.join('; ')}`);
  return json as ScenarioExpectation;
}

describe('own scenarios (fixtures/scenarios)', () => {
  it(`has at least ${SCENARIOS_MIN} scenarios, each with README and expect.json`, () => {
    assert.ok(scenarioDirs.length >= SCENARIOS_MIN, `found ${scenarioDirs.length}`);
    for (const name of scenarioDirs) {
      for (const file of ['README', 'cmdlist', 'hardware_status', 'manager_status', 'service_config', 'expect.json']) {
        assert.ok(existsSync(join(ROOT, name, file)), `${name}/${file} is missing`);
      }
    }
  });

  for (const name of scenarioDirs) {
    it(`${name}`, () => {
      const expect = readExpectation(name);
      const run = runScenario(join(ROOT, name));
      const problems = [
        ...(run.result === 'done' ? [] : [`the run hit the simulator's time limit`]),
        ...run.violations.map((violation) => `invariant: ${violation}`),
        ...checkExpectation(expect, run.events, run.initial),
      ];
      if (problems.length === 0) return;
      const folded = foldTrace(run.events, run.initial);
      const actual = [...folded.sequences].map(([sid, states]) => `    ${sid}: ${states.join(' → ')}`);
      const log = process.env.SCENARIO_LOG ? `\n  log:\n${run.events.filter((e) => e.ev !== 'log').map(formatEvent).join('\n')}` : '';
      assert.fail(`${name}: ${expect.description}\n  ${problems.join('\n  ')}\n  actual sequences:\n${actual.join('\n')}${log}`);
    });
  }
});

describe('determinism of the simulator', () => {
  const name = 'failover-basic';

  it('the same scenario and seed give identical traces in-process', () => {
    const first = runScenario(join(ROOT, name), 7).events.map((event) => JSON.stringify(event)).join('\n');
    const second = runScenario(join(ROOT, name), 7).events.map((event) => JSON.stringify(event)).join('\n');
    assert.ok(first.length > 0);
    assert.equal(first, second);
  });

  it('every scenario gives the same trace twice', () => {
    for (const dir of scenarioDirs) {
      const a = JSON.stringify(runScenario(join(ROOT, dir), 3).events);
      const b = JSON.stringify(runScenario(join(ROOT, dir), 3).events);
      assert.ok(a === b, `${dir}: two runs with seed 3 differ`);
    }
  });

  it('`ha-manager simulate --trace F --seed N` twice writes byte-identical files', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ha-determinism-'));
    try {
      const traces = [join(tmp, 'a.jsonl'), join(tmp, 'b.jsonl')];
      for (const trace of traces) {
        execFileSync(BIN, ['simulate', join(ROOT, name), '--trace', trace, '--seed', '1234', '--quiet'], { stdio: 'pipe' });
      }
      const [a, b] = traces.map((trace) => readFileSync(trace));
      assert.ok(a!.length > 0, 'the trace is empty');
      assert.ok(a!.equals(b!), 'the two trace files differ');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
