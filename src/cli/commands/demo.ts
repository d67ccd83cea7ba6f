import type { Argv } from 'yargs';
import { renderSummary, runDemo } from '../../cluster/demo-run.ts';

interface DemoArgs {
  readonly json: boolean;
}

export const demoCommand = {
  command: 'demo',
  describe: 'Run a 3-node cluster on this machine (emulated watchdogs, simulated services), cut one node from the shared storage, show the fence and the recovery',
  builder: (yargs: Argv) =>
    yargs
      .option('json', { type: 'boolean', default: false, describe: 'print only the summary, as JSON' })
      .example('$0 demo', 'watch a failover live (about a minute)')
      .example('$0 demo --json', 'the summary for a program: failover time, recoveries, overlaps'),
  handler: async (args: DemoArgs) => {
    const summary = await runDemo(args.json ? () => {} : (text) => process.stdout.write(`${text}\n`));
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 1)}\n` : `${renderSummary(summary)}\n`);
    if (!summary.ok) process.exitCode = 1;
  },
};
