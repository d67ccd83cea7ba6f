import { strict as assert } from 'node:assert';
import { wrapPlain } from '../../src/cli/load-yargs.ts';
import { inBatches, runCli } from './run-cli.ts';

const HELP_OF = [[], ['status'], ['config'], ['add'], ['set'], ['groupadd'], ['groupset'], ['crm-command'], ['crm-command', 'stop'], ['simulate'], ['demo'], ['completion']];

describe('yargs without its Unicode machinery (src/cli/load-yargs.ts)', () => {
  it('wraps plain text as wrap-ansi does: words to the width, a longer word cut, rows trimmed', async () => {
    // wrap-ansi is what full yargs wraps with (through cliui): the oracle.
    const wrapAnsi = (await import('wrap-ansi' as string)).default as (text: string, width: number, options: { hard: boolean }) => string;
    const cases: Array<[string, number]> = [
      ['one two three four', 9],
      ['abcdefghijkl xy', 5],
      ['first line\nsecond', 20],
      ['  lead  double  space end ', 8],
      ['service id <type>:<name>, e.g. vm:100, ct:200, service:nginx (a bare number is vm:<number>)', 37],
      ['exactly ten', 11],
    ];
    for (const [text, width] of cases) assert.equal(wrapPlain(text, width), wrapAnsi(text, width, { hard: true }), JSON.stringify([text, width]));
  });

  it('every --help reads the same as with the full yargs', async () => {
    const runs = HELP_OF.flatMap((command) => [() => runCli([...command, '--help']), () => runCli([...command, '--help'], { HA_MANAGER_FULL_YARGS: '1' })]);
    const results = await inBatches(runs, 4);
    HELP_OF.forEach((command, index) => {
      const [light, full] = [results[2 * index]!, results[2 * index + 1]!];
      assert.equal(light.code, 0, command.join(' '));
      assert.equal(light.stdout, full.stdout, `ha-manager ${command.join(' ')} --help`);
    });
  });
});
