import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { editSharedConfig } from '../config-write.ts';
import { resourceOptionsOf, withResourceOptions, type ResourceOptionArgs } from '../resource-options.ts';
import { resolveSid } from '../sid-arg.ts';

type AddArgs = DirArgs & ResourceOptionArgs & { readonly sid: string; readonly type?: string };

export const addCommand = {
  builder: (yargs: Argv) =>
    withResourceOptions(withDir(yargs))
      .positional('sid', { type: 'string', describe: 'service id <type>:<name>, e.g. vm:100, ct:200, service:nginx (a bare number is vm:<number>)' })
      .option('type', { type: 'string', describe: 'type of a bare numeric id: vm or ct' })
      .example('$0 add vm:100 --node node1', 'manage VM 100, now on node1; it is started (state started)')
      .example('$0 add ct:200 --group web --state stopped --max_restart 2', 'manage a container on the preferred node of group web, kept stopped'),
  handler: async (args: AddArgs) => {
    const { addResource } = await import('../../config/resource-edit.ts');
    const { checkResourceNodes } = await import('../node-checks.ts');
    const store = await storeOf(args);
    await editSharedConfig(store, (documents, current) => {
      const sid = resolveSid(args.sid, { config: current.config, ...(args.type !== undefined ? { type: args.type } : {}) });
      const options = resourceOptionsOf(args);
      checkResourceNodes(store, current, { sid, change: { set: options, delete: [] } });
      addResource(documents, { current, sid, options });
    });
  },
};
