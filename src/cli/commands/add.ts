import type { Argv } from 'yargs';
import { editConfig } from '../../config/config-edit.ts';
import { addResource } from '../../config/resource-edit.ts';
import { sharedDirOf, withDir, type DirArgs } from '../cli-options.ts';
import { resourceOptionsOf, withResourceOptions, type ResourceOptionArgs } from '../resource-options.ts';
import { checkResourceNodes } from '../node-checks.ts';
import { resolveSid } from '../sid-arg.ts';

type AddArgs = DirArgs & ResourceOptionArgs & { readonly sid: string; readonly type?: string };

export const addCommand = {
  command: 'add <sid>',
  describe: 'Put a service under HA management (a new section in resources.cfg)',
  builder: (yargs: Argv) =>
    withResourceOptions(withDir(yargs))
      .positional('sid', { type: 'string', describe: 'service id <type>:<name>, e.g. vm:100, ct:200, service:nginx (a bare number is vm:<number>)' })
      .option('type', { type: 'string', describe: 'type of a bare numeric id: vm or ct' })
      .example('$0 add vm:100 --node node1', 'manage VM 100, now on node1; it is started (state started)')
      .example('$0 add ct:200 --group web --state stopped --max_restart 2', 'manage a container on the preferred node of group web, kept stopped'),
  handler: (args: AddArgs) => {
    const sharedDir = sharedDirOf(args);
    editConfig(sharedDir, (documents, current) => {
      const sid = resolveSid(args.sid, { config: current.config, ...(args.type !== undefined ? { type: args.type } : {}) });
      const options = resourceOptionsOf(args);
      checkResourceNodes(sharedDir, current, { sid, change: { set: options, delete: [] } });
      addResource(documents, { current, sid, options });
    });
  },
};
