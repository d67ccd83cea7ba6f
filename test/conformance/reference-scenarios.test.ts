import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The reference corpus lives beside the project in ../shared and is never copied into it.
const SUITE = resolve('../shared/conformance');
const COMPARE = join(SUITE, 'compare.mjs');
const BIN = resolve('bin/ha-manager');

describe('conformance with the reference scenarios (../shared/conformance/pve)', function () {
  if (!existsSync(COMPARE)) {
    it('SKIPPED: ../shared/conformance is not present beside this clone');
    return;
  }
  const scenarios = readdirSync(join(SUITE, 'pve')).sort();
  let traces: string;
  before(() => {
    traces = mkdtempSync(join(tmpdir(), 'ha-conformance-'));
  });
  after(() => rmSync(traces, { recursive: true, force: true }));

  it('finds the reference scenarios', () => {
    assert.ok(scenarios.length >= 43, `expected at least 43 scenarios, found ${scenarios.length}`);
  });

  for (const name of scenarios) {
    it(`${name} matches compare.mjs`, () => {
      const trace = join(traces, `${name}.jsonl`);
      execFileSync(BIN, ['simulate', join(SUITE, 'pve', name), '--trace', trace, '--quiet'], { stdio: 'pipe' });
      try {
        execFileSync('node', [COMPARE, join(SUITE, 'pve', name, 'expect.json'), trace], { stdio: 'pipe' });
      } catch (error) {
        const output = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
        assert.fail(`${name} does not match:\n${output}`);
      }
    });
  }
});
