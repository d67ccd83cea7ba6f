import { strict as assert } from 'node:assert';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir, inBatches, runCli, type CliResult } from './run-cli.ts';

const BAD = 'fixtures/configs/bad';

function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) files[name] = readFileSync(join(dir, name)).toString('base64');
  return files;
}

describe('ha-manager on malformed config files', () => {
  it('every fixture: one-line error naming file and line, exit 2, files on disk unchanged', async function () {
    this.timeout(600_000);
    const cases = readdirSync(BAD).sort();
    assert.ok(cases.length >= 50);
    const outcomes = await inBatches(
      cases.map((name) => async () => {
        const dir = freshDir('ha-bad-');
        cpSync(join(BAD, name), dir, { recursive: true });
        const before = filesOf(dir);
        const expected = readFileSync(join(dir, 'expected-error'), 'utf8').trimEnd().replaceAll('{dir}', dir);
        const result: CliResult = await runCli(['add', 'vm:999', '--node', 'node1', '--dir', dir]);
        return { name, dir, before, after: filesOf(dir), expected, result };
      }),
      4,
    );
    const problems: string[] = [];
    for (const { name, before, after, expected, result } of outcomes) {
      if (result.code !== 2) problems.push(`${name}: exit ${result.code}`);
      if (result.stderr !== `ha-manager: ${expected}\n`) problems.push(`${name}: stderr ${JSON.stringify(result.stderr)}`);
      if (result.stdout !== '') problems.push(`${name}: stdout ${JSON.stringify(result.stdout)}`);
      if (JSON.stringify(after) !== JSON.stringify(before)) problems.push(`${name}: files changed`);
    }
    assert.deepEqual(problems, []);
  });

  it('reading commands report the same error with exit 2', async () => {
    const dir = freshDir('ha-bad-');
    cpSync(join(BAD, 'g-node-twice'), dir, { recursive: true });
    const expected = readFileSync(join(dir, 'expected-error'), 'utf8').trimEnd().replaceAll('{dir}', dir);
    for (const args of [['config'], ['groupconfig'], ['migrate', 'vm:100', 'node1']]) {
      const result = await runCli([...args, '--dir', dir]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr, `ha-manager: ${expected}\n`);
    }
  });
});
