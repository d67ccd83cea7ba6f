import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The reference corpus lives beside the project in ../shared and is never copied into it.
const SUITE = resolve('../shared/conformance');
const COMPARE = join(SUITE, 'compare.mjs');
const BIN = resolve('bin/ha-manager');

/** The reference suites: Proxmox's 4.0.7 scenarios and 5.2.0's (Proxmox VE 9, the current reference). */
const SUITES: ReadonlyArray<{ readonly dir: string; readonly scenariosMin: number }> = [
  { dir: 'pve', scenariosMin: 43 },
  { dir: 'pve-5.2', scenariosMin: 92 },
];

for (const { dir, scenariosMin } of SUITES) {
  describe(`conformance with the reference scenarios (../shared/conformance/${dir})`, function () {
    if (!existsSync(COMPARE) || !existsSync(join(SUITE, dir))) {
      it(`SKIPPED: ../shared/conformance/${dir} is not present beside this clone`);
      return;
    }
    const scenarios = readdirSync(join(SUITE, dir)).sort();
    let traces: string;
    before(() => {
      traces = mkdtempSync(join(tmpdir(), 'ha-conformance-'));
    });
    after(() => rmSync(traces, { recursive: true, force: true }));

    it('finds the reference scenarios', () => {
      assert.ok(scenarios.length >= scenariosMin, `expected at least ${scenariosMin} scenarios, found ${scenarios.length}`);
    });

    for (const name of scenarios) {
      it(`${name} matches compare.mjs`, () => {
        const trace = join(traces, `${name}.jsonl`);
        execFileSync(BIN, ['simulate', join(SUITE, dir, name), '--trace', trace, '--quiet'], { stdio: 'pipe' });
        try {
          execFileSync('node', [COMPARE, join(SUITE, dir, name, 'expect.json'), trace], { stdio: 'pipe' });
        } catch (error) {
          const output = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
          assert.fail(`${dir}/${name} does not match:\n${output}`);
        }
      });
    }
  });
}
