import type { Argv } from 'yargs';
import { assert } from '../common/assert.ts';
import { commandWordOf, hasFlagValues, missingArgumentsMessage, normalizeFlagValues } from './argv-words.ts';
import { COMMANDS, commandEntry, commandName, type CommandEntry, type CommandModule } from './command-table.ts';
import { ExitCode, UsageError } from './exit-codes.ts';
import type { YargsFactory } from './load-yargs.ts';
import { helpWidthOf, runPlainLine } from './plain-lines.ts';

/**
 * yargs' own completion command prints yargs' script, which breaks on `vm:100` (bash splits words at
 * `:`): `ha-manager completion` is ours (src/cli/commands/completion.ts), and yargs keeps only the
 * `--get-yargs-completions` request under a name nobody types.
 */
const YARGS_COMPLETION_COMMAND = '__yargs-completion-script';

/**
 * Entry point of `ha-manager`, called by bin/launcher.cjs with `process.argv.slice(2)` (not
 * yargs/helpers' hideBin: that module loads yargs' full platform shim, which load-yargs.ts avoids).
 * A plain line of status, config or groupconfig runs without yargs (src/cli/plain-lines.ts).
 * Otherwise only the module of the command that runs is imported (the others are listed from
 * src/cli/command-table.ts): a `status` does not load the simulator. Errors are one line on stderr;
 * the exit status says whose fault. No top-level await anywhere below: the bundle is CommonJS.
 */
export async function main(argv: string[]): Promise<number> {
  const plain = await runPlainLine(argv);
  if (plain !== undefined) return plain;
  try {
    const chosen = commandWordOf(argv, new Set(COMMANDS.map(commandName)));
    const [yargs, loaded] = await Promise.all([import('./load-yargs.ts').then(({ loadYargs }) => loadYargs()), chosen === undefined ? undefined : loadedCommand(chosen)]);
    // A completion request needs them too: completer() does not offer values after a boolean.
    const needsBooleans = loaded !== undefined && (argv[0] === '--get-yargs-completions' || hasFlagValues(argv));
    const booleans = needsBooleans ? booleanOptionsOf(yargs, loaded.module) : new Set<string>();
    await parserFor(yargs(normalizeFlagValues(argv, booleans)), loaded)
      .completion(YARGS_COMPLETION_COMMAND, false, completer(argv, booleans))
      .wrap(helpWidth(argv))
      .parseAsync();
    return ExitCode.ok;
  } catch (error) {
    const { reportError } = await import('./report-error.ts');
    return reportError(error);
  }
}

/**
 * The top-level help (`ha-manager --help`) set at `width` columns, exactly as yargs prints it: the
 * build renders it for the widths it is shown at, and src/cli/plain-lines.ts prints that (issue 10).
 */
export async function topLevelHelp(width: number): Promise<string> {
  const { loadYargs } = await import('./load-yargs.ts');
  const yargs = await loadYargs();
  return `${await parserFor(yargs([]), undefined).wrap(width).getHelp()}\n`;
}

/**
 * ha-manager's parser. With a command chosen, yargs gets that one only: the others would be listed in
 * no output (help within a command shows that command) and each costs yargs a parse of its command string.
 */
function parserFor(parser: Argv, loaded: { entry: CommandEntry; module: CommandModule } | undefined): Argv {
  let result = parser.scriptName('ha-manager');
  for (const entry of loaded === undefined ? COMMANDS : [loaded.entry]) result = result.command(commandFor(entry, loaded?.module));
  return result
    .demandCommand(1, 'Name a command; see --help')
    .recommendCommands()
    .strict()
    .help()
    .alias('help', 'h')
    .epilogue('Store: --dir PATH or --store etcd --endpoints URL,..., else $HA_MANAGER_STORE or $HA_MANAGER_DIR, else /etc/ha-manager/store.cfg, else the directory /etc/ha-manager. Reference: docs/cli.md')
    .fail((message, error, usage) => {
      if (error) throw error;
      throw new UsageError(missingArgumentsMessage(message, usageLineOf(usage)));
    });
}

async function loadedCommand(name: string): Promise<{ entry: CommandEntry; module: CommandModule }> {
  const entry = commandEntry(name);
  return { entry, module: await entry.load() };
}

/** A loaded command as yargs takes it; the others are listed (for --help) with a handler that never runs. */
function commandFor(entry: CommandEntry, module: CommandModule | undefined) {
  const { command, describe } = entry;
  if (module !== undefined) return { command, describe, builder: module.builder, handler: module.handler as (args: unknown) => void };
  return {
    command,
    describe,
    handler: () => assert(false, `ha-manager ${commandName(entry)} ran without its module: commandWordOf and yargs disagree`),
  };
}

/**
 * The width yargs sets help text in: the terminal's, at most 120, when the command line asks for help
 * (`--help`, `-h`); else 100, which is also what a pipe or a file gets. yargs renders the help of every
 * command it runs (and shows it nowhere): asking process.stdout for its columns then would load Node's
 * stream modules for nothing (see src/cli/stdout.ts).
 */
function helpWidth(argv: readonly string[]): number {
  const asksForHelp = argv.some((word) => word === '--help' || word === '-h' || word.startsWith('--help='));
  return asksForHelp ? helpWidthOf(true, () => process.stdout.columns) : 100;
}

/** The boolean options a command's builder declares (run on a scratch parser: builders are light). */
function booleanOptionsOf(yargs: YargsFactory, module: CommandModule): Set<string> {
  const probe = module.builder(yargs([])) as Argv<unknown> & { getOptions(): { boolean: string[] } };
  return new Set(probe.getOptions().boolean);
}

/** The usage line yargs set for the command being parsed, e.g. `$0 crm-command stop <sid> <timeout>`. */
function usageLineOf(usage: unknown): string | undefined {
  const lines = (usage as { getUsage?: () => Array<[string, string]> } | undefined)?.getUsage?.();
  return lines?.[0]?.[0];
}

/**
 * yargs' completion callback for `--get-yargs-completions <program> <words...> <current>`: ours
 * (src/cli/completion.ts, loaded only here) where it knows the answer, else yargs' command and option names.
 */
function completer(argv: readonly string[], booleans: ReadonlySet<string>) {
  const words = argv.slice(2, -1);
  const valueless = new Set(['--help', '-h', ...[...booleans].map((name) => `--${name}`)]);
  return (current: string, parsed: { dir?: unknown; store?: unknown; endpoints?: unknown }, defaultCompletion: () => void, done: (completions: string[]) => void): void => {
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const args = { dir: text(parsed.dir), store: text(parsed.store), endpoints: text(parsed.endpoints) };
    Promise.all([import('./completion.ts'), openStoreQuietly(args)]).then(([{ completeWords }, store]) => {
      const completions = completeWords({ words, current, store, valueless });
      if (completions === undefined) defaultCompletion();
      else done(completions);
    }, () => done([]));
  };
}

/** The store a completion request names, or undefined: completion never prints an error into the command line. */
async function openStoreQuietly(args: { dir: string | undefined; store: string | undefined; endpoints: string | undefined }) {
  try {
    const { openSelectedStore, selectionOf } = await import('./cli-store.ts');
    const flags = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
    return await openSelectedStore(selectionOf(flags));
  } catch {
    return undefined;
  }
}
