import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { editSharedConfig } from '../config-write.ts';

type GroupRemoveArgs = DirArgs & { readonly group: string };

export const groupRemoveCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('group', { type: 'string', describe: 'group name' })
      .example('$0 groupremove web', 'remove group web (first move its resources to another group)'),
  handler: async (args: GroupRemoveArgs) => {
    const { removeGroup } = await import('../../config/group-edit.ts');
    await editSharedConfig(await storeOf(args), (documents, current) => removeGroup(documents, { current, group: String(args.group) }));
  },
};
