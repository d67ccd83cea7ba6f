import type { Argv } from 'yargs';
import { editConfig } from '../../config/config-edit.ts';
import { addGroup } from '../../config/group-edit.ts';
import { sharedDirOf, withDir, type DirArgs } from '../cli-options.ts';
import { checkGroupNodes } from '../node-checks.ts';
import { groupOptionsOf, withGroupOptions, type GroupOptionArgs } from '../group-options.ts';

type GroupAddArgs = DirArgs & GroupOptionArgs & { readonly group: string };

export const groupAddCommand = {
  command: 'groupadd <group>',
  describe: 'Create an HA group: nodes with priorities that its services prefer',
  builder: (yargs: Argv) =>
    withGroupOptions(withDir(yargs))
      .positional('group', { type: 'string', describe: 'group name: a letter, then letters, digits, - or _' })
      .demandOption('nodes')
      .example('$0 groupadd web --nodes node1:2,node2', 'services of web prefer node1, else node2, else any node')
      .example('$0 groupadd db --nodes node1,node2 --restricted --nofailback', 'only node1 or node2, and no move back after a failover'),
  handler: (args: GroupAddArgs) => {
    const sharedDir = sharedDirOf(args);
    editConfig(sharedDir, (documents, current) => {
      const options = groupOptionsOf(args);
      checkGroupNodes(sharedDir, current, options.nodes);
      addGroup(documents, { group: String(args.group), options });
    });
  },
};
