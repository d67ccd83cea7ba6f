import type { Argv, Options } from 'yargs';
import { flagWord } from './argv-words.ts';

/**
 * A command's options, declared once: its yargs builder applies them (applyOptions), and the CLI's fast
 * path parses a plain command line of such a command without loading yargs at all (parsePlainArgs).
 * yargs renders the help text of every command it runs, shown or not; for `status`, `config` and
 * `groupconfig` that is most of the command's cost above Node's own start (issue 10: ≤ 150 ms).
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly describe: string;
  /** The values a string option takes; another one is yargs' usage error. */
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Declares `specs` on a yargs builder, as the options' own `.option()` calls would. */
export function applyOptions<T>(yargs: Argv<T>, specs: OptionSpecs): Argv<T> {
  let result: Argv<T> = yargs;
  for (const [name, spec] of Object.entries(specs)) result = result.option(name, yargsOptionOf(spec)) as Argv<T>;
  return result;
}

function yargsOptionOf(spec: OptionSpec): Options {
  const { type, describe, choices, default: value } = spec;
  return { describe, ...(choices !== undefined ? { choices: [...choices] } : { type }), ...(value !== undefined ? { default: value } : {}) };
}

/**
 * The arguments of `<command> [--option value | --option=value | --flag | --flag=yes ...]` when the
 * line is that plain: the command word first, then only options of `specs` (each once), string values
 * that do not look like options and are among the choices, boolean values in the words yargs is given
 * (src/cli/argv-words.ts). Anything else — a positional, `--help`, an unknown or repeated option, a bad
 * choice, `--no-x`, `--` — is undefined: yargs parses the line, with its messages. So the fast path
 * only ever answers what yargs would answer alike (test/cli/option-spec.test.ts compares the two).
 */
export function parsePlainArgs(argv: readonly string[], command: string, specs: OptionSpecs): Record<string, unknown> | undefined {
  if (argv[0] !== command) return undefined;
  const args: Record<string, unknown> = {};
  for (let index = 1; index < argv.length; index++) {
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(argv[index]!);
    const spec = match === null ? undefined : specs[match[1]!];
    if (match === null || spec === undefined || match[1]! in args) return undefined;
    const [, name, inline] = match as unknown as [string, string, string | undefined];
    const value = spec.type === 'boolean' ? booleanValue(name, inline) : (inline ?? argv[++index]);
    if (value === undefined || (typeof value === 'string' && !isPlainValue(value, spec))) return undefined;
    args[name] = value;
  }
  for (const [name, spec] of Object.entries(specs)) if (!(name in args) && spec.default !== undefined) args[name] = spec.default;
  return args;
}

/** `--flag` is true; `--flag=yes`/`=0`/... as docs/cli.md promises; another word is a usage error, as with yargs. */
function booleanValue(name: string, inline: string | undefined): boolean {
  return inline === undefined || flagWord(name, inline) === 'true';
}

function isPlainValue(value: string, spec: OptionSpec): boolean {
  if (value === '' || value.startsWith('-')) return false;
  return spec.choices === undefined || spec.choices.includes(value);
}
