import type { Argv } from 'yargs';
import type { StoreArgs } from './cli-store.ts';
import { writeOutput } from './stdout.ts';
import { applyOptions, type OptionSpecs } from './option-spec.ts';

/** Options every ha-manager command that touches the cluster's store takes (src/cli/cli-store.ts). */
export type DirArgs = StoreArgs;

export const OUTPUT_FORMATS = ['text', 'json', 'json-pretty'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ReadingArgs extends DirArgs {
  readonly 'output-format': OutputFormat;
}

/**
 * The store a command works on (src/config/store-config.ts selectStore): these flags, else
 * HA_MANAGER_STORE / HA_MANAGER_DIR, else /etc/ha-manager/store.cfg, else the directory /etc/ha-manager.
 * `--store` is a plain string, not yargs choices: a bad value gets selectStore's own one line.
 */
export const DIR_OPTIONS: OptionSpecs = {
  dir: { type: 'string', describe: 'shared directory of a dir store (default: $HA_MANAGER_DIR, else store.cfg, else /etc/ha-manager)' },
  store: { type: 'string', describe: 'dir or etcd (default: $HA_MANAGER_STORE, else /etc/ha-manager/store.cfg, else dir)' },
  endpoints: { type: 'string', describe: 'etcd endpoints URL[,URL...] (--store etcd; TLS and user from store.cfg)' },
};

/** The options of a command that reads and prints: the store and the output format. */
export const READING_OPTIONS: OptionSpecs = {
  ...DIR_OPTIONS,
  'output-format': { type: 'string', choices: OUTPUT_FORMATS, default: 'text', describe: 'text for people, json or json-pretty for programs' },
};

export function withDir<T>(yargs: Argv<T>): Argv<T & StoreArgs> {
  return applyOptions(yargs, DIR_OPTIONS) as Argv<T & StoreArgs>;
}

export function withOutputFormat<T>(yargs: Argv<T>): Argv<T & { 'output-format': OutputFormat }> {
  return applyOptions(yargs, READING_OPTIONS) as unknown as Argv<T & { 'output-format': OutputFormat }>;
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
