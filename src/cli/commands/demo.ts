import type { Argv } from 'yargs';
import { isTimingProfileName, TIMING_PROFILES, type TimingProfileName } from '../../cluster/cluster-config.ts';
import { renderSummary, runDemo } from '../../cluster/demo-run.ts';
import { UsageError } from '../exit-codes.ts';

interface DemoArgs {
  readonly json: boolean;
  readonly timing: string;
}

export const demoCommand = {
  command: 'demo',
  describe: 'Run a 3-node cluster on this machine (emulated watchdogs, simulated services), cut one node from the shared storage, show the fence and the recovery',
  builder: (yargs: Argv) =>
    yargs
      .option('json', { type: 'boolean', default: false, describe: 'print only the summary, as JSON' })
      .option('timing', {
        type: 'string',
        default: 'fast',
        describe: `timing profile: fast (fence_timeout 10 s), default (what an ha.cfg that sets nothing gives: fence_timeout 60 s) or reference (Proxmox's); one of ${Object.keys(TIMING_PROFILES).join(', ')}`,
      })
      .example('$0 demo', 'watch a failover live (about a minute)')
      .example('$0 demo --json', 'the summary for a program: failover time, recoveries, overlaps')
      .example('$0 demo --timing default --json', 'the same with the default fence_timeout of 60 s (about two and a half minutes)'),
  handler: async (args: DemoArgs) => {
    const profile = profileOf(args.timing);
    const summary = await runDemo(args.json ? () => {} : (text) => process.stdout.write(`${text}\n`), profile);
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 1)}\n` : `${renderSummary(summary)}\n`);
    if (!summary.ok) process.exitCode = 1;
  },
};

function profileOf(text: string): TimingProfileName {
  if (isTimingProfileName(text)) return text;
  throw new UsageError(`--timing: expected one of ${Object.keys(TIMING_PROFILES).join(', ')}, got '${text}'`);
}
