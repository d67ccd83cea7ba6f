import type { Argv } from 'yargs';
import { sharedDirOf, printOutput, withOutputFormat, type ReadingArgs } from '../cli-options.ts';
import { collectStatus } from '../status-report.ts';
import { renderProxmoxStatus } from '../status-proxmox.ts';
import { renderStatusText } from '../status-text.ts';

interface StatusArgs extends ReadingArgs {
  readonly verbose: boolean;
}

export const statusCommand = {
  command: 'status',
  describe: "Show quorum, master, every node's LRM and every service, in Proxmox VE's layout (--verbose: tables with more)",
  builder: (yargs: Argv) =>
    withOutputFormat(yargs)
      .option('verbose', { type: 'boolean', default: false, describe: 'tables: nodes (heartbeat, maintenance, fence), services (target, requested state), leases, queued requests' })
      .example('$0 status', 'who is master, which nodes are up, where each service runs')
      .example('$0 status --output-format json-pretty', 'the same data for a program'),
  handler: (args: StatusArgs) => {
    const report = collectStatus(sharedDirOf(args));
    printOutput(report, { format: args['output-format'], renderText: (data) => (args.verbose ? renderStatusText(data, true) : renderProxmoxStatus(data)) });
  },
};
