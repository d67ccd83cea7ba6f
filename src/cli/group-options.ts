import type { Argv } from 'yargs';
import { GROUP_OPTIONS, type GroupOption } from '../config/groups.ts';
import type { GroupChange } from '../config/group-edit.ts';
import { flagValue } from './sid-arg.ts';

export type GroupOptionArgs = Partial<Record<GroupOption, string>>;

/** The group options of groupadd and groupset, named as in groups.cfg. */
export function withGroupOptions<T>(yargs: Argv<T>): Argv<T & GroupOptionArgs> {
  return yargs
    .option('nodes', { type: 'string', requiresArg: true, describe: GROUP_OPTIONS.nodes })
    .option('restricted', { type: 'string', describe: `${GROUP_OPTIONS.restricted} (a bare --restricted means 1)` })
    .option('nofailback', { type: 'string', describe: `${GROUP_OPTIONS.nofailback} (a bare --nofailback means 1)` })
    .option('comment', { type: 'string', requiresArg: true, describe: GROUP_OPTIONS.comment }) as unknown as Argv<T & GroupOptionArgs>;
}

/** The options given on the command line, as they are written in groups.cfg. */
export function groupOptionsOf(args: GroupOptionArgs): GroupChange['set'] {
  const options: Partial<Record<GroupOption, string>> = {};
  if (args.nodes !== undefined) options.nodes = String(args.nodes);
  const restricted = flagValue(args.restricted === undefined ? undefined : String(args.restricted));
  if (restricted !== undefined) options.restricted = restricted;
  const nofailback = flagValue(args.nofailback === undefined ? undefined : String(args.nofailback));
  if (nofailback !== undefined) options.nofailback = nofailback;
  if (args.comment !== undefined) options.comment = String(args.comment);
  return options;
}
