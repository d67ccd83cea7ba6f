import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { writeOutput } from '../stdout.ts';

type MoveArgs = DirArgs & { readonly sid: string; readonly node: string };

/**
 * migrate and relocate: the same request, online (live) or offline (stop, move, start). Top-level
 * commands and crm-command's subcommands alike; their names and descriptions are in the command table.
 */
export function moveCommand(kind: 'migrate' | 'relocate') {
  return {
    builder: (yargs: Argv) =>
      withDir(yargs)
        .positional('sid', { type: 'string', describe: 'service id, e.g. vm:100' })
        .positional('node', { type: 'string', describe: 'target node (a known cluster node; inside the group when it is restricted)' })
        .example(`$0 ${kind} vm:100 node2`, `queue "${kind} vm:100 node2" for the master; 'ha-manager status' shows the move`),
    handler: async (args: MoveArgs) => {
      const { requestMove, warnWithoutMaster } = await import('../crm-requests.ts');
      const store = await storeOf(args);
      const line = requestMove(store, { kind, sid: String(args.sid), node: String(args.node) });
      warnWithoutMaster(store);
      writeOutput(`Queued for the master: ${line}\n`);
    },
  };
}

export const migrateCommand = moveCommand('migrate');
export const relocateCommand = moveCommand('relocate');
