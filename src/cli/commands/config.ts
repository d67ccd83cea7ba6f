import type { Argv } from 'yargs';
import { compareNames } from '../../common/compare-names.ts';
import type { ResourceConfig } from '../../common/ha-config.ts';
import { READING_OPTIONS, printOutput, type ReadingArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { applyOptions, type OptionSpecs } from '../option-spec.ts';

interface ConfigArgs extends ReadingArgs {
  readonly type?: string;
}

/** One resource as `config` shows it: every option with its effective value. */
export interface ResourceListing {
  readonly sid: string;
  readonly type: string;
  readonly state: string;
  /** Absent until the master placed a service whose config names no node. */
  readonly node?: string;
  readonly group?: string;
  readonly max_restart: number;
  readonly max_relocate: number;
  /** 1 (default): moves back to a better node on its own (README-5.2 §1.3); for a grouped service, its group decides. */
  readonly failback: 0 | 1;
  readonly comment?: string;
}

const CONFIG_OPTIONS: OptionSpecs = {
  ...READING_OPTIONS,
  type: { type: 'string', describe: 'only resources of this type (vm, ct, service, ...)' },
};

export const configCommand = {
  options: CONFIG_OPTIONS,
  builder: (yargs: Argv) =>
    applyOptions(yargs, CONFIG_OPTIONS)
      .example('$0 config', 'every HA resource')
      .example('$0 config --type ct --output-format json', 'the containers, as JSON'),
  handler: async (args: ConfigArgs) => {
    const { loadHaConfig } = await import('../../config/load-config.ts');
    const { config } = loadHaConfig(await storeOf(args));
    const listing = Object.entries(config.resources)
      .filter(([sid]) => args.type === undefined || sid.startsWith(`${args.type}:`))
      .sort(([a], [b]) => compareNames(a, b))
      .map(([sid, resource]) => listingOf(sid, resource));
    printOutput(listing, { format: args['output-format'], renderText: renderResources });
  },
};

function listingOf(sid: string, resource: ResourceConfig): ResourceListing {
  return {
    sid,
    type: sid.slice(0, sid.indexOf(':')),
    state: resource.state,
    ...(resource.node !== undefined ? { node: resource.node } : {}),
    ...(resource.group !== undefined ? { group: resource.group } : {}),
    max_restart: resource.maxRestart,
    max_relocate: resource.maxRelocate,
    failback: (resource.failback ?? true) ? 1 : 0,
    ...(resource.comment !== undefined ? { comment: resource.comment } : {}),
  };
}

function renderResources(listing: readonly ResourceListing[]): string {
  return listing
    .map(({ sid, type: _type, ...options }) => [sid, ...Object.entries(options).map(([key, value]) => `\t${key} ${value}`)].join('\n'))
    .join('\n\n');
}
