import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { configCommand } from './commands/config.ts';
import { groupConfigCommand } from './commands/groupconfig.ts';
import { statusCommand } from './commands/status.ts';
import { ExitCode } from './exit-codes.ts';
import { parsePlainArgs, type OptionSpecs } from './option-spec.ts';
import { writeOutput } from './stdout.ts';

/**
 * The commands an operator (and a monitoring script) runs most: no positionals, every option declared
 * once (src/cli/option-spec.ts). A plain line of one runs here without yargs; `npm run build` also
 * bundles this module alone (dist/cli/plain.cjs), a fifth of the whole CLI, which bin/launcher.cjs
 * tries first for these words, so that they answer within issue 10's 150 ms.
 */
const PLAIN_COMMANDS: Readonly<Record<string, { readonly options: OptionSpecs; readonly handler: (args: never) => void | Promise<void> }>> = {
  status: statusCommand,
  config: configCommand,
  groupconfig: groupConfigCommand,
};

/** The words a plain line starts with: the commands above and the top-level help. */
export const PLAIN_WORDS: readonly string[] = [...Object.keys(PLAIN_COMMANDS), '--help', '-h'];

export interface PlainLineOptions {
  /**
   * Where the build left the top-level help as yargs renders it (src/cli/main.ts, topLevelHelp) for the
   * widths it is shown at: `help-<width>.txt`. Undefined (the sources): yargs renders it.
   */
  readonly helpDir?: string;
}

/**
 * Runs `argv` when it is a plain line of a plain command (or `--help` alone, with a rendered help at
 * hand) and returns its exit status; undefined when yargs must parse it (src/cli/main.ts).
 */
export async function runPlainLine(argv: readonly string[], options: PlainLineOptions = {}): Promise<number | undefined> {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) return printRenderedHelp(options.helpDir);
  const command = PLAIN_COMMANDS[argv[0] ?? ''];
  if (command === undefined) return undefined;
  try {
    const args = parsePlainArgs(argv, argv[0]!, command.options);
    if (args === undefined) return undefined;
    await (command.handler as (args: Record<string, unknown>) => void | Promise<void>)(args);
    return ExitCode.ok;
  } catch (error) {
    const { reportError } = await import('./report-error.ts');
    return reportError(error);
  }
}

/** The width yargs sets help in (src/cli/main.ts, helpWidth): a terminal's, at most 120; else 100. */
export function helpWidthOf(isTerminal: boolean, columns: () => number | undefined): number {
  return isTerminal ? Math.min(120, columns() ?? 100) : 100;
}

function printRenderedHelp(helpDir: string | undefined): number | undefined {
  if (helpDir === undefined) return undefined;
  const width = helpWidthOf(isatty(1), () => process.stdout.columns);
  let text: string;
  try {
    text = readFileSync(`${helpDir}/help-${width}.txt`, 'utf8');
  } catch {
    return undefined; // not rendered for this width: yargs renders it
  }
  writeOutput(text);
  return ExitCode.ok;
}
