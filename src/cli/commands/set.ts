import type { Argv } from 'yargs';
import { editConfig } from '../../config/config-edit.ts';
import { setResource } from '../../config/resource-edit.ts';
import { sharedDirOf, withDir, type DirArgs } from '../cli-options.ts';
import { resourceOptionsOf, withResourceOptions, type ResourceOptionArgs } from '../resource-options.ts';
import { warnWithoutMaster } from '../crm-requests.ts';
import { checkResourceNodes } from '../node-checks.ts';
import { deleteList, resolveSid } from '../sid-arg.ts';

type SetArgs = DirArgs & ResourceOptionArgs & { readonly sid: string; readonly delete?: string };

export const setCommand = {
  command: 'set <sid>',
  describe: 'Change options of an HA resource; the master acts on the new requested state',
  builder: (yargs: Argv) =>
    withResourceOptions(withDir(yargs))
      .positional('sid', { type: 'string', describe: 'service id, e.g. vm:100' })
      .option('delete', { type: 'string', requiresArg: true, describe: 'options to remove (back to their defaults), comma separated' })
      .example('$0 set vm:100 --state stopped', 'ask the master to stop VM 100 and keep it stopped')
      .example('$0 set vm:100 --state disabled', 'leave the error state (then --state started)')
      .example('$0 set vm:100 --delete group,comment', 'remove its group and comment'),
  handler: (args: SetArgs) => {
    const sharedDir = sharedDirOf(args);
    editConfig(sharedDir, (documents, current) => {
      const sid = resolveSid(args.sid, { config: current.config });
      const change = { set: resourceOptionsOf(args), delete: deleteList(args.delete) };
      checkResourceNodes(sharedDir, current, { sid, change });
      setResource(documents, { current, sid, change });
    });
    if (args.state !== undefined) warnWithoutMaster(sharedDir);
  },
};
