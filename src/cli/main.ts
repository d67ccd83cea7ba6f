import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AssertionError } from '../common/assert.ts';
import { ExitCode, UsageError } from './exit-codes.ts';
import { simulateCommand } from './commands/simulate.ts';

/** Entry point of `ha-manager`. Errors are one line on stderr; the exit status says whose fault. */
export async function main(argv: string[]): Promise<number> {
  try {
    await yargs(argv)
      .scriptName('ha-manager')
      .command(simulateCommand as never)
      .demandCommand(1, 'Name a command; see --help')
      .strict()
      .help()
      .fail((message, error) => {
        if (error) throw error;
        throw new UsageError(message);
      })
      .parseAsync();
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`ha-manager: ${error.message}\n`);
      return ExitCode.badInput;
    }
    if (error instanceof AssertionError) throw error;
    process.stderr.write(`ha-manager: ${(error as Error).message}\n`);
    return ExitCode.failure;
  }
}

const code = await main(hideBin(process.argv));
process.exitCode = code;
