import { existsSync, statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { UsageError } from './exit-codes.ts';
import { resolveSharedDir } from '../store/shared-dir.ts';
import { writeOutput } from './stdout.ts';
import { applyOptions, type OptionSpecs } from './option-spec.ts';

/** Options every ha-manager command that touches the shared directory takes. */
export interface DirArgs {
  readonly dir?: string;
}

export const OUTPUT_FORMATS = ['text', 'json', 'json-pretty'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ReadingArgs extends DirArgs {
  readonly 'output-format': OutputFormat;
}

export const DIR_OPTIONS: OptionSpecs = {
  dir: { type: 'string', describe: 'shared directory (default: $HA_MANAGER_DIR, else /etc/ha-manager)' },
};

/** The options of a command that reads and prints: the shared directory and the output format. */
export const READING_OPTIONS: OptionSpecs = {
  ...DIR_OPTIONS,
  'output-format': { type: 'string', choices: OUTPUT_FORMATS, default: 'text', describe: 'text for people, json or json-pretty for programs' },
};

export function withDir<T>(yargs: Argv<T>): Argv<T & { dir: string | undefined }> {
  return applyOptions(yargs, DIR_OPTIONS) as Argv<T & { dir: string | undefined }>;
}

export function withOutputFormat<T>(yargs: Argv<T>): Argv<T & { 'output-format': OutputFormat }> {
  return applyOptions(yargs, READING_OPTIONS) as unknown as Argv<T & { 'output-format': OutputFormat }>;
}

/** The shared directory of a command; it must exist (ha-manager never creates it by accident). */
export function sharedDirOf(args: DirArgs): string {
  const dir = resolveSharedDir(args.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const source = args.dir !== undefined ? '--dir' : process.env.HA_MANAGER_DIR !== undefined ? 'HA_MANAGER_DIR' : 'the default';
    throw new UsageError(`Shared directory '${dir}' (from ${source}) does not exist or is not a directory`);
  }
  return dir;
}

/** Prints `data` as JSON, or the text `renderText` makes of it. */
export function printOutput<T>(data: T, options: { format: OutputFormat; renderText: (data: T) => string }): void {
  const { format, renderText } = options;
  if (format === 'text') {
    const text = renderText(data);
    writeOutput(text === '' || text.endsWith('\n') ? text : `${text}\n`);
  } else {
    writeOutput(`${JSON.stringify(data, null, format === 'json-pretty' ? 2 : undefined)}\n`);
  }
}
