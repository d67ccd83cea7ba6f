import type { Argv } from 'yargs';
import { compareNames } from '../../common/compare-names.ts';
import type { GroupConfig } from '../../common/ha-config.ts';
import { READING_OPTIONS, printOutput, type ReadingArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { applyOptions } from '../option-spec.ts';

/** One group as groupconfig shows it, with Proxmox's field names. */
export interface GroupListing {
  readonly group: string;
  readonly type: 'group';
  readonly nodes: string;
  readonly restricted: 0 | 1;
  readonly nofailback: 0 | 1;
  readonly comment?: string;
}

export const groupConfigCommand = {
  options: READING_OPTIONS,
  builder: (yargs: Argv) =>
    applyOptions(yargs, READING_OPTIONS)
      .example('$0 groupconfig', 'every group with its nodes and flags')
      .example('$0 groupconfig --output-format json', 'the same as JSON'),
  handler: async (args: ReadingArgs) => {
    const [{ loadHaConfig }, { formatNodeList }] = await Promise.all([import('../../config/load-config.ts'), import('../../config/groups.ts')]);
    const { config } = loadHaConfig(await storeOf(args));
    const listing = Object.entries(config.groups)
      .sort(([a], [b]) => compareNames(a, b))
      .map(([group, settings]) => listingOf(group, settings, formatNodeList));
    printOutput(listing, { format: args['output-format'], renderText: renderGroups });
  },
};

function listingOf(group: string, settings: GroupConfig, formatNodeList: (nodes: GroupConfig['nodes']) => string): GroupListing {
  return {
    group,
    type: 'group',
    nodes: formatNodeList(settings.nodes),
    restricted: settings.restricted ? 1 : 0,
    nofailback: settings.nofailback ? 1 : 0,
    ...(settings.comment !== undefined ? { comment: settings.comment } : {}),
  };
}

function renderGroups(listing: readonly GroupListing[]): string {
  return listing
    .map(({ group, type, ...options }) => [`${type}: ${group}`, ...Object.entries(options).map(([key, value]) => `\t${key} ${value}`)].join('\n'))
    .join('\n\n');
}
