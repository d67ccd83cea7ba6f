/**
 * The option arguments of `ha-manager fence ...`: `--option key=value` (repeatable), `--delete key`,
 * their check against the agent's own metadata, and the warning for a fence.cfg others may read.
 * No message here holds an option's value: it may be a password.
 */
import { statSync } from 'node:fs';
import { checkFenceOption } from '../fence/fence-config-checks.ts';
import { hasControlCharacter, OPTION_KEY_PATTERN } from '../fence/fence-config-words.ts';
import { agentParameters, unknownOptions } from '../fence/fence-metadata.ts';
import { UsageError } from './exit-codes.ts';

/** yargs gives a repeated option as an array, a single one as a value. */
export function listOf(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * `--option` arguments as options: `key=value`, or `key` alone for an empty value (a flag such as
 * `lanplus`). `reserved` keys belong to positionals (`node` of a connect).
 */
export function parseOptionArgs(values: readonly string[], reserved: readonly string[] = []): Record<string, string> {
  const options: Record<string, string> = {};
  values.forEach((text, index) => {
    const equals = text.indexOf('=');
    const key = equals === -1 ? text : text.slice(0, equals);
    const value = equals === -1 ? '' : text.slice(equals + 1);
    if (!OPTION_KEY_PATTERN.test(key)) throw new UsageError(`--option number ${index + 1}: expected key=value, the key of letters, digits, '_' and '-', starting with a letter`);
    if (hasControlCharacter(value)) throw new UsageError(`--option ${key}: control characters (a newline) are not allowed in a value`);
    if (reserved.includes(key)) throw new UsageError(`--option ${key}: give the ${key} as the positional argument`);
    if (Object.hasOwn(options, key)) throw new UsageError(`--option ${key} given twice`);
    const problem = checkFenceOption(key, value);
    if (problem !== undefined) throw new UsageError(`--option ${key}: ${problem}`);
    options[key] = value;
  });
  return options;
}

/** `--delete` arguments: keys, each also accepted comma separated. */
export function parseDeleteArgs(values: readonly string[]): string[] {
  const keys = values.flatMap((value) => value.split(',')).map((key) => key.trim()).filter((key) => key !== '');
  for (const key of keys) if (!OPTION_KEY_PATTERN.test(key)) throw new UsageError(`--delete: bad option name '${key}'`);
  return keys;
}

/**
 * Refuses options `agent` does not know, naming each and the closest names it knows; an agent that is
 * not installed here (or prints no metadata) is accepted with a warning on stderr.
 */
export function checkAgentOptions(agent: string, keys: Iterable<string>): void {
  const parameters = agentParameters(agent);
  if (parameters.kind === 'unavailable') {
    process.stderr.write(`ha-manager: warning: ${parameters.reason}: options not checked against its metadata\n`);
    return;
  }
  const unknown = unknownOptions(keys, parameters.names);
  if (unknown.length === 0) return;
  const described = unknown.map((option) => `'${option.key}' (closest: ${option.closest.join(', ')})`).join('; ');
  throw new UsageError(`${agent} does not know the option${unknown.length > 1 ? 's' : ''} ${described}; '${agent} -o metadata' lists what it reads`);
}

/** Says so on stderr when fence.cfg is readable or writable by group or others: it holds passwords. */
export function warnIfExposed(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return;
  }
  if ((mode & 0o077) === 0) return;
  process.stderr.write(`ha-manager: warning: ${file} has mode ${mode.toString(8).padStart(4, '0')}: it holds fence passwords, only its owner should read it: chmod 600 ${file}\n`);
}
