import type { Argv } from 'yargs';
import { editConfig } from '../../config/config-edit.ts';
import { setGroup } from '../../config/group-edit.ts';
import { sharedDirOf, withDir, type DirArgs } from '../cli-options.ts';
import { checkGroupNodes } from '../node-checks.ts';
import { groupOptionsOf, withGroupOptions, type GroupOptionArgs } from '../group-options.ts';
import { deleteList } from '../sid-arg.ts';

type GroupSetArgs = DirArgs & GroupOptionArgs & { readonly group: string; readonly delete?: string };

export const groupSetCommand = {
  command: 'groupset <group>',
  describe: 'Change an HA group',
  builder: (yargs: Argv) =>
    withGroupOptions(withDir(yargs))
      .positional('group', { type: 'string', describe: 'group name' })
      .option('delete', { type: 'string', requiresArg: true, describe: 'options to remove (back to their defaults), comma separated' })
      .example('$0 groupset web --nodes node1:2,node2,node3', 'add node3 with the lowest priority')
      .example('$0 groupset web --restricted 0 --delete comment', 'let web services run anywhere, drop the comment'),
  handler: (args: GroupSetArgs) => {
    const sharedDir = sharedDirOf(args);
    editConfig(sharedDir, (documents, current) => {
      const change = { set: groupOptionsOf(args), delete: deleteList(args.delete) };
      checkGroupNodes(sharedDir, current, change.set.nodes);
      setGroup(documents, { group: String(args.group), change });
    });
  },
};
