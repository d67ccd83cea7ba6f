import type { Argv } from 'yargs';
import { editConfig } from '../../config/config-edit.ts';
import { removeResource } from '../../config/resource-edit.ts';
import { sharedDirOf, withDir, type DirArgs } from '../cli-options.ts';
import { resolveSid } from '../sid-arg.ts';

type RemoveArgs = DirArgs & { readonly sid: string };

export const removeCommand = {
  command: 'remove <sid>',
  describe: 'Stop managing a service: remove it from resources.cfg (the service itself keeps running or not as it is)',
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('sid', { type: 'string', describe: 'service id, e.g. vm:100' })
      .example('$0 remove vm:100', 'HA no longer watches VM 100'),
  handler: (args: RemoveArgs) => {
    editConfig(sharedDirOf(args), (documents, current) => removeResource(documents, resolveSid(args.sid, { config: current.config })));
  },
};
