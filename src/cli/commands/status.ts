import type { Argv } from 'yargs';
import { sharedDirOf, printOutput, withOutputFormat, type ReadingArgs } from '../cli-options.ts';

interface StatusArgs extends ReadingArgs {
  readonly verbose: boolean;
}

export const statusCommand = {
  builder: (yargs: Argv) =>
    withOutputFormat(yargs)
      .option('verbose', { type: 'boolean', default: false, describe: 'also show move targets, fence times and all leases' })
      .example('$0 status', 'who is master, which nodes are up, where each service runs')
      .example('$0 status --output-format json-pretty', 'the same data for a program'),
  handler: async (args: StatusArgs) => {
    const [{ collectStatus }, { renderStatusText }] = await Promise.all([import('../status-report.ts'), import('../status-text.ts')]);
    const report = collectStatus(sharedDirOf(args));
    printOutput(report, { format: args['output-format'], renderText: (data) => renderStatusText(data, args.verbose) });
  },
};
