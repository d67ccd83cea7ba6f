import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { editSharedConfig } from '../config-write.ts';
import { groupOptionsOf, withGroupOptions, type GroupOptionArgs } from '../group-options.ts';

type GroupAddArgs = DirArgs & GroupOptionArgs & { readonly group: string };

export const groupAddCommand = {
  builder: (yargs: Argv) =>
    withGroupOptions(withDir(yargs))
      .positional('group', { type: 'string', describe: 'group name: a letter, then letters, digits, - or _' })
      .demandOption('nodes')
      .example('$0 groupadd web --nodes node1:2,node2', 'services of web prefer node1, else node2, else any node')
      .example('$0 groupadd db --nodes node1,node2 --restricted --nofailback', 'only node1 or node2, and no move back after a failover'),
  handler: async (args: GroupAddArgs) => {
    const { addGroup } = await import('../../config/group-edit.ts');
    const { checkGroupNodes } = await import('../node-checks.ts');
    const store = await storeOf(args);
    await editSharedConfig(store, (documents, current) => {
      const options = groupOptionsOf(args);
      checkGroupNodes(store, current, options.nodes);
      addGroup(documents, { group: String(args.group), options });
    });
  },
};
