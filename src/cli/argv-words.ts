import { UsageError } from './exit-codes.ts';

/** Options that take no value before the command word (yargs' own, and its completion request). */
const VALUELESS_OPTIONS = new Set(['--help', '-h', '--version', '--get-yargs-completions']);

/**
 * The command word of a command line, found before yargs parses it so that only that command's module
 * is loaded: the first word that is not an option or an option's value. `--dir X status` reads X as
 * the value of --dir, as yargs does for an option it does not know yet. In a completion request
 * (`--get-yargs-completions ha-manager set vm:1`) the program name is skipped.
 */
export function commandWordOf(argv: readonly string[], names: ReadonlySet<string>): string | undefined {
  const words = argv[0] === '--get-yargs-completions' ? argv.slice(2) : argv;
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (word === '--') return undefined;
    if (word.startsWith('-')) {
      if (!word.includes('=') && !VALUELESS_OPTIONS.has(word)) index++; // skip the option's value
      continue;
    }
    return names.has(word) ? word : undefined;
  }
  return undefined;
}

const TRUE_WORDS = ['1', 'yes', 'true', 'on'];
const FALSE_WORDS = ['0', 'no', 'false', 'off'];

/**
 * Boolean options take the values docs/cli.md promises, as Proxmox's tools do: `--verbose yes`,
 * `--json=0`, `--quiet off`. yargs itself knows only true/false (and reads `--verbose=yes` as false,
 * `--verbose yes` as a stray argument `yes`), so those are rewritten to `--verbose=true` before it parses.
 * A bare flag stays a bare flag; `--flag=maybe` is a usage error naming the words it takes.
 */
export function normalizeFlagValues(argv: readonly string[], booleans: ReadonlySet<string>): string[] {
  const result: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === '--') {
      result.push(...argv.slice(index));
      break;
    }
    const match = /^--([^=]+)(?:=(.*))?$/.exec(word);
    if (match === null || !booleans.has(match[1]!)) {
      result.push(word);
      continue;
    }
    const [, name, inline] = match;
    if (inline !== undefined) {
      result.push(`--${name}=${flagWord(name!, inline)}`);
    } else if (index + 1 < argv.length && isFlagWord(argv[index + 1]!)) {
      result.push(`--${name}=${flagWord(name!, argv[++index]!)}`);
    } else {
      result.push(word);
    }
  }
  return result;
}

/**
 * True when normalizeFlagValues may have something to rewrite: a `--name=value` word, or an option
 * followed by a yes/no word. Otherwise the boolean options need not be known (finding them runs the
 * command's builder on a scratch yargs, a few milliseconds of every command).
 */
export function hasFlagValues(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const words = end === -1 ? argv : argv.slice(0, end);
  return words.some((word, index) => word.startsWith('--') && (word.includes('=') || (index + 1 < words.length && isFlagWord(words[index + 1]!))));
}

function isFlagWord(word: string): boolean {
  return [...TRUE_WORDS, ...FALSE_WORDS].includes(word.toLowerCase());
}

/** A yes/no word of a boolean option as yargs takes it; another word is a usage error naming the option. */
export function flagWord(name: string, value: string): 'true' | 'false' {
  const lower = value.toLowerCase();
  if (TRUE_WORDS.includes(lower)) return 'true';
  if (FALSE_WORDS.includes(lower)) return 'false';
  throw new UsageError(`--${name}: expected yes or no (1/0, true/false, on/off), got '${value}'`);
}

/**
 * yargs says `Not enough non-option arguments: got 1, need at least 2`; this names what is missing,
 * from the command's usage line (`$0 crm-command stop <sid> <timeout>`):
 * `crm-command stop: missing <timeout> (usage: ha-manager crm-command stop <sid> <timeout>)`.
 */
export function missingArgumentsMessage(message: string, usageLine: string | undefined): string {
  const counts = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(message);
  if (counts === null || usageLine === undefined) return message;
  const words = usageLine.replace(/^\$0 /, '').split(' ');
  const command = words.filter((word) => !/^[<[]/.test(word)).join(' ');
  const required = words.filter((word) => word.startsWith('<'));
  const missing = required.slice(Number(counts[1]));
  if (missing.length === 0) return message;
  return `${command}: missing ${missing.join(' ')} (usage: ha-manager ${words.join(' ')})`;
}
