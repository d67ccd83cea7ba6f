import { strict as assert } from 'node:assert';
import { normalizeFlagValues } from '../../src/cli/argv-words.ts';
import type { CommandModule } from '../../src/cli/command-table.ts';
import { configCommand } from '../../src/cli/commands/config.ts';
import { groupConfigCommand } from '../../src/cli/commands/groupconfig.ts';
import { statusCommand } from '../../src/cli/commands/status.ts';
import { loadYargs } from '../../src/cli/load-yargs.ts';
import { parsePlainArgs, type OptionSpecs } from '../../src/cli/option-spec.ts';
import { runCli } from './run-cli.ts';

/** Command lines of every shape the fast path might meet; for each, it must agree with yargs or step aside. */
const LINES: readonly string[][] = [
  [],
  ['--dir', '/srv/ha'],
  ['--dir=/srv/ha'],
  ['--dir', '/srv/ha', '--output-format', 'json'],
  ['--output-format=json-pretty'],
  ['--output-format', 'jsn'],
  ['--output-format'],
  ['--dir'],
  ['--dir', '--verbose'],
  ['--dir', ''],
  ['--dir', 'a', '--dir', 'b'],
  ['--verbose'],
  ['--verbose=yes'],
  ['--verbose=0'],
  ['--verbose', 'yes'],
  ['--no-verbose'],
  ['--type', 'ct'],
  ['--type=vm', '--output-format', 'json'],
  ['stray'],
  ['--help'],
  ['-h'],
  ['--unknown', 'x'],
  ['--outputFormat', 'json'],
  ['--', '--dir', 'x'],
  ['--dir=/a=b'],
];

/** The values yargs gives the options of `specs` for a command line (as main.ts hands it to yargs). */
async function yargsArgsOf(module: CommandModule, specs: OptionSpecs, words: readonly string[]): Promise<Record<string, unknown> | 'refused'> {
  const yargs = await loadYargs();
  const booleans = new Set(Object.entries(specs).filter(([, spec]) => spec.type === 'boolean').map(([name]) => name));
  try {
    let refused = false;
    const parsed = (await module
      .builder(yargs(normalizeFlagValues(words, booleans)))
      .strict()
      .help()
      .exitProcess(false)
      .fail(() => {
        refused = true;
      })
      .parseAsync()) as Record<string, unknown>;
    if (refused || (parsed._ as unknown[]).length > 0) return 'refused';
    return Object.fromEntries(Object.keys(specs).filter((name) => parsed[name] !== undefined).map((name) => [name, parsed[name]]));
  } catch {
    return 'refused';
  }
}

describe('options declared once, parsed without yargs when the line is plain (src/cli/option-spec.ts)', () => {
  for (const [name, module] of Object.entries({ status: statusCommand, config: configCommand, groupconfig: groupConfigCommand })) {
    it(`${name}: every plain line parses as yargs parses it; every other line is left to yargs`, async () => {
      const specs = module.options;
      let fastCount = 0;
      for (const words of LINES) {
        let fast: Record<string, unknown> | undefined;
        try {
          fast = parsePlainArgs([name, ...words], name, specs);
        } catch {
          continue; // a usage error of its own (--verbose=maybe): checked below
        }
        if (fast === undefined) continue;
        fastCount++;
        assert.deepEqual(fast, await yargsArgsOf(module, specs, words), `${name} ${words.join(' ')}`);
      }
      assert.ok(fastCount >= 4, `the fast path takes the plain lines (${fastCount})`);
    });
  }

  it('leaves every line that is not plain to yargs', () => {
    const specs = { dir: { type: 'string', describe: '' }, verbose: { type: 'boolean', describe: '' } } satisfies OptionSpecs;
    for (const words of [['--help'], ['stray'], ['--dir', 'a', '--dir', 'b'], ['--dir'], ['--dir', '-x'], ['--no-verbose'], ['--', 'x'], ['--verbose', 'yes'], ['--other']]) {
      assert.equal(parsePlainArgs(['status', ...words], 'status', specs), undefined, words.join(' '));
    }
    assert.equal(parsePlainArgs(['--dir', 'x', 'status'], 'status', specs), undefined, 'options before the command word');
  });

  it('a bad yes/no word is the same usage error as on the yargs path, naming the option', async () => {
    const result = await runCli(['status', '--verbose=maybe']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--verbose: expected yes or no .*got 'maybe'/);
  });

  it('a bad choice still gets yargs\' message and exit status (the fast path steps aside)', async () => {
    const result = await runCli(['config', '--output-format', 'yaml']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /output-format/);
  });
});
