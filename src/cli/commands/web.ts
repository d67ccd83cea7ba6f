import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';

type WebArgs = DirArgs & { readonly listen: string; readonly 'token-file'?: string; readonly 'state-dir': string; readonly node?: string };

/**
 * `ha-manager web`: the web console of the cluster of the selected store (issue 13). Light at load:
 * the server and the source are imported by the handler only.
 */
export const webCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .option('listen', { type: 'string', default: '127.0.0.1:8006', describe: 'HOST:PORT to serve on; on a non-loopback address every request needs the token' })
      .option('state-dir', { type: 'string', default: '/var/lib/ha-manager', describe: "this node's --state-dir: its journals feed the timeline, web.db records the actions" })
      .option('token-file', { type: 'string', describe: 'the token that actions need (created, mode 0600, when absent; default <state-dir>/web.token)' })
      .option('node', { type: 'string', describe: "this node's name (default: the name in its journals, else the host name)" })
      .example('$0 web', 'serve http://127.0.0.1:8006/ (an SSH tunnel reaches it: ssh -L 8006:127.0.0.1:8006 node1)')
      .example('$0 web --listen 10.0.0.1:8006', 'serve on the management network (reads need the token too)'),
  handler: async (args: WebArgs) => {
    const { runWebConsole } = await import('../../web/web-command.ts');
    await runWebConsole({
      store: await storeOf(args),
      listen: args.listen,
      stateDir: args['state-dir'],
      ...(args['token-file'] !== undefined ? { tokenFile: args['token-file'] } : {}),
      ...(args.node !== undefined ? { node: args.node } : {}),
    });
  },
};
