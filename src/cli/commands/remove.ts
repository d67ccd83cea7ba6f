import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { editSharedConfig } from '../config-write.ts';
import { resolveSid } from '../sid-arg.ts';

type RemoveArgs = DirArgs & { readonly sid: string };

export const removeCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('sid', { type: 'string', describe: 'service id, e.g. vm:100' })
      .example('$0 remove vm:100', 'HA no longer watches VM 100'),
  handler: async (args: RemoveArgs) => {
    const { removeResource } = await import('../../config/resource-edit.ts');
    await editSharedConfig(await storeOf(args), (documents, current) => removeResource(documents, resolveSid(args.sid, { config: current.config })));
  },
};
