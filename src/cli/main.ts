import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AssertionError } from '../common/assert.ts';
import { ConfigRefused } from '../config/config-edit.ts';
import { ConfigError } from '../config/section-config.ts';
import { ExitCode, UsageError } from './exit-codes.ts';
import { addCommand } from './commands/add.ts';
import { configCommand } from './commands/config.ts';
import { crmCommand } from './commands/crm-command.ts';
import { demoCommand } from './commands/demo.ts';
import { groupAddCommand } from './commands/groupadd.ts';
import { groupConfigCommand } from './commands/groupconfig.ts';
import { groupRemoveCommand } from './commands/groupremove.ts';
import { groupSetCommand } from './commands/groupset.ts';
import { initCommand } from './commands/init.ts';
import { logCommand } from './commands/log.ts';
import { migrateCommand, relocateCommand } from './commands/migrate.ts';
import { removeCommand } from './commands/remove.ts';
import { setCommand } from './commands/set.ts';
import { simulateCommand } from './commands/simulate.ts';
import { statusCommand } from './commands/status.ts';
import { completeWords } from './completion.ts';

const COMMANDS = [
  initCommand,
  statusCommand,
  configCommand,
  addCommand,
  setCommand,
  removeCommand,
  migrateCommand,
  relocateCommand,
  groupAddCommand,
  groupSetCommand,
  groupRemoveCommand,
  groupConfigCommand,
  crmCommand,
  simulateCommand,
  demoCommand,
  logCommand,
];

/** Entry point of `ha-manager`. Errors are one line on stderr; the exit status says whose fault. */
export async function main(argv: string[]): Promise<number> {
  try {
    let parser = yargs(argv).scriptName('ha-manager');
    for (const command of COMMANDS) parser = parser.command(command as never);
    await parser
      .completion('completion', 'Print the shell completion script: ha-manager completion >> ~/.bashrc', completeWords as never)
      .demandCommand(1, 'Name a command; see --help')
      .recommendCommands()
      .strict()
      .help()
      .alias('help', 'h')
      .epilogue('Shared directory: --dir, else $HA_MANAGER_DIR, else /etc/ha-manager. Reference: docs/cli.md')
      .wrap(Math.min(120, process.stdout.columns ?? 100))
      .fail((message, error) => {
        if (error) throw error;
        throw new UsageError(message);
      })
      .parseAsync();
    return ExitCode.ok;
  } catch (error) {
    return report(error);
  }
}

/** Prints an error as one line and picks the exit status: 2 for the caller's input, 1 for the rest. */
function report(error: unknown): number {
  if (error instanceof AssertionError) throw error;
  const message = ((error as Error).message ?? String(error)).replace(/\s*\n\s*/g, ' ');
  process.stderr.write(`ha-manager: ${message}\n`);
  const isBadInput = error instanceof UsageError || error instanceof ConfigError || error instanceof ConfigRefused;
  return isBadInput ? ExitCode.badInput : ExitCode.failure;
}

const code = await main(hideBin(process.argv));
process.exitCode = code;
