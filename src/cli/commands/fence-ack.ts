import { hostname, userInfo } from 'node:os';
import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { writeOutput } from '../stdout.ts';

type FenceAckArgs = DirArgs & { readonly node: string; readonly by?: string };

/**
 * `ha-manager fence-ack <node>`: oVirt's "Confirm host has been rebooted". The operator's word is a
 * fence proof (DESIGN.md "What proves a node fenced"): the master recovers the node's services at
 * once, so the command says plainly what a wrong confirmation costs.
 */
export const fenceAckCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('node', { type: 'string', describe: 'the lost node, known to be powered off or rebooted' })
      .option('by', { type: 'string', describe: 'who confirms, recorded in the trace, the journal and status (default: <user>@<host>)' })
      .example('$0 fence-ack node3', 'node3 is off (checked at its console): recover its services now'),
  handler: async (args: FenceAckArgs) => {
    const { fenceAckNote, requestFenceAck, warnWithoutMaster } = await import('../crm-requests.ts');
    const by = args.by ?? `${userInfo().username}@${hostname().split('.')[0]}`;
    const store = await storeOf(args);
    const line = requestFenceAck(store, { node: String(args.node), by });
    warnWithoutMaster(store);
    writeOutput(`Queued for the master: ${line}\n`);
    process.stderr.write(`ha-manager: note: ${fenceAckNote(String(args.node))}\n`);
  },
};
