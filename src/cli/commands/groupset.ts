import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { editSharedConfig } from '../config-write.ts';
import { groupOptionsOf, withGroupOptions, type GroupOptionArgs } from '../group-options.ts';
import { deleteList } from '../sid-arg.ts';

type GroupSetArgs = DirArgs & GroupOptionArgs & { readonly group: string; readonly delete?: string };

export const groupSetCommand = {
  builder: (yargs: Argv) =>
    withGroupOptions(withDir(yargs))
      .positional('group', { type: 'string', describe: 'group name' })
      .option('delete', { type: 'string', requiresArg: true, describe: 'options to remove (back to their defaults), comma separated' })
      .example('$0 groupset web --nodes node1:2,node2,node3', 'add node3 with the lowest priority')
      .example('$0 groupset web --restricted 0 --delete comment', 'let web services run anywhere, drop the comment'),
  handler: async (args: GroupSetArgs) => {
    const { setGroup } = await import('../../config/group-edit.ts');
    const { checkGroupNodes } = await import('../node-checks.ts');
    const store = await storeOf(args);
    await editSharedConfig(store, (documents, current) => {
      const change = { set: groupOptionsOf(args), delete: deleteList(args.delete) };
      checkGroupNodes(store, current, change.set.nodes);
      setGroup(documents, { group: String(args.group), change });
    });
  },
};
