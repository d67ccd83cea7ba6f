import type { Argv } from 'yargs';
import { sharedDirOf, printOutput, withOutputFormat, type ReadingArgs } from '../cli-options.ts';
import { collectStatus } from '../status-report.ts';
import { renderStatusText } from '../status-text.ts';

interface StatusArgs extends ReadingArgs {
  readonly verbose: boolean;
}

export const statusCommand = {
  command: 'status',
  describe: 'Show the master, every node (LRM state, heartbeat, maintenance, fence reason) and every service',
  builder: (yargs: Argv) =>
    withOutputFormat(yargs)
      .option('verbose', { type: 'boolean', default: false, describe: 'also show move targets, fence times and all leases' })
      .example('$0 status', 'who is master, which nodes are up, where each service runs')
      .example('$0 status --output-format json-pretty', 'the same data for a program'),
  handler: (args: StatusArgs) => {
    const report = collectStatus(sharedDirOf(args));
    printOutput(report, { format: args['output-format'], renderText: (data) => renderStatusText(data, args.verbose) });
  },
};
