import type { Argv } from 'yargs';
import { editConfig } from '../../config/config-edit.ts';
import { removeGroup } from '../../config/group-edit.ts';
import { sharedDirOf, withDir, type DirArgs } from '../cli-options.ts';

type GroupRemoveArgs = DirArgs & { readonly group: string };

export const groupRemoveCommand = {
  command: 'groupremove <group>',
  describe: 'Remove an HA group; refused while a resource uses it',
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('group', { type: 'string', describe: 'group name' })
      .example('$0 groupremove web', 'remove group web (first move its resources to another group)'),
  handler: (args: GroupRemoveArgs) => {
    editConfig(sharedDirOf(args), (documents, current) => removeGroup(documents, { current, group: String(args.group) }));
  },
};
