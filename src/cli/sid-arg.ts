import type { HaConfig } from '../env/env.ts';
import { UsageError } from './exit-codes.ts';

/**
 * A service id from the command line. Like Proxmox, a bare guest id is accepted: it names the
 * configured `vm:` or `ct:` resource of that id, else (for `add`) `<type>:<id>`, type vm by default.
 */
export function resolveSid(argument: string | number, context: { config: HaConfig; type?: string }): string {
  const { config, type } = context;
  const text = String(argument);
  if (!/^\d+$/.test(text)) {
    if (type !== undefined && !text.startsWith(`${type}:`)) throw new UsageError(`--type ${type} does not match the service id '${text}'`);
    return text;
  }
  if (type !== undefined) return `${type}:${text}`;
  const matches = Object.keys(config.resources).filter((sid) => sid === `vm:${text}` || sid === `ct:${text}`);
  if (matches.length > 1) throw new UsageError(`Service id '${text}' is ambiguous: ${matches.join(', ')}; give the type`);
  return matches[0] ?? `vm:${text}`;
}

/** `--delete a,b` as a list of option names. */
export function deleteList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Flags given as Proxmox accepts booleans: 1/0, yes/no, true/false, on/off, any case; a bare flag means 1. */
export function flagValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const word = value.toLowerCase();
  if (['', '1', 'yes', 'true', 'on'].includes(word)) return '1';
  if (['0', 'no', 'false', 'off'].includes(word)) return '0';
  return value;
}
