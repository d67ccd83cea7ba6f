import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { resourceOptionsOf, withResourceOptions, type ResourceOptionArgs } from '../resource-options.ts';
import { deleteList } from '../sid-arg.ts';

type SetArgs = DirArgs & ResourceOptionArgs & { readonly sid: string; readonly delete?: string };

export const setCommand = {
  builder: (yargs: Argv) =>
    withResourceOptions(withDir(yargs))
      .positional('sid', { type: 'string', describe: 'service id, e.g. vm:100' })
      .option('delete', { type: 'string', requiresArg: true, describe: 'options to remove (back to their defaults), comma separated' })
      .example('$0 set vm:100 --state stopped', 'ask the master to stop VM 100 and keep it stopped')
      .example('$0 set vm:100 --state disabled', 'leave the error state (then --state started)')
      .example('$0 set vm:100 --delete group,comment', 'remove its group and comment'),
  handler: async (args: SetArgs) => {
    const { setResourceChecked } = await import('../resource-set.ts');
    const { warnWithoutMaster } = await import('../crm-requests.ts');
    const store = await storeOf(args);
    const change = { set: resourceOptionsOf(args), delete: deleteList(args.delete) };
    setResourceChecked(store, { sid: String(args.sid), change });
    if (args.state !== undefined) warnWithoutMaster(store);
  },
};
