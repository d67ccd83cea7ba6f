import type { Argv } from 'yargs';
import { READING_OPTIONS, printOutput, type ReadingArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { applyOptions, type OptionSpecs } from '../option-spec.ts';
import { writeOutput } from '../stdout.ts';

interface StatusArgs extends ReadingArgs {
  readonly verbose: boolean;
}

const STATUS_OPTIONS: OptionSpecs = {
  ...READING_OPTIONS,
  verbose: { type: 'boolean', default: false, describe: 'tables: nodes (heartbeat, maintenance, fence), services (target, requested state), leases, queued requests' },
};

export const statusCommand = {
  options: STATUS_OPTIONS,
  builder: (yargs: Argv) =>
    applyOptions(yargs, STATUS_OPTIONS)
      .example('$0 status', 'who is master, which nodes are up, where each service runs')
      .example('$0 status --output-format json-pretty', 'the same data for a program'),
  handler: async (args: StatusArgs) => {
    const { collectStatus } = await import('../status-report.ts');
    const report = collectStatus(await storeOf(args));
    if (args['output-format'] !== 'text') {
      // One rendering with the web console's GET /api/status (src/cli/status-json.ts).
      const { statusJson } = await import('../status-json.ts');
      return writeOutput(statusJson(report, { isPretty: args['output-format'] === 'json-pretty' }));
    }
    const renderText = args.verbose ? (await import('../status-text.ts')).renderStatusText : (await import('../status-proxmox.ts')).renderProxmoxStatus;
    printOutput(report, { format: args['output-format'], renderText });
  },
};
