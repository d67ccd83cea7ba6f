import type { Argv } from 'yargs';
import type { LogArgs } from '../node-log.ts';

/** Light at load: the journal reader (better-sqlite3) is imported by the handler only. */
export const logCommand = {
  builder: (yargs: Argv) =>
    yargs
      .option('node', { type: 'string', describe: "the node (default: the node of --state-dir's journals, else this host's name)" })
      .option('follow', { type: 'boolean', default: false, alias: 'f', describe: 'keep printing new lines as the daemons write them (Ctrl-C stops)' })
      .option('since', { type: 'string', describe: 'only lines of the last DURATION, e.g. 30s, 10m, 2h, 1d' })
      .option('lines', { type: 'number', default: 100, alias: 'n', describe: 'at most the newest N lines first (0: all)' })
      .option('all', { type: 'boolean', default: false, describe: 'also every lease renewal and watchdog keepalive (one per round each)' })
      .option('state-dir', { type: 'string', default: '/var/lib/ha-manager', describe: "the daemons' --state-dir; for a local cluster its run directory" })
      .option('output-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'text for people; json: one object per line' })
      .example('$0 log --since 1h', "this node's last hour")
      .example('$0 log --follow', 'tail the journal as it is written')
      .example('$0 log --state-dir /tmp/ha-cluster-X --node node2', 'a node of a local cluster (the demo prints its run directory)'),
  handler: async (args: LogArgs) => {
    const { runLog } = await import('../node-log.ts');
    await runLog(args);
  },
};
