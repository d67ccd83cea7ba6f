import type { Argv } from 'yargs';
import { isTimingProfileName, TIMING_PROFILES, type TimingProfileName } from '../../cluster/cluster-config.ts';
import { UsageError } from '../exit-codes.ts';

interface DemoArgs {
  readonly json: boolean;
  readonly timing: string;
  readonly dir?: string;
}

/**
 * The demo's cluster is made from scratch and removed afterwards, so it never takes a shared
 * directory: running it on a real cluster's directory would break that cluster.
 */
export const DEMO_DIR_REFUSED =
  "demo takes no --dir: it builds its own 3-node cluster in a new scratch directory (under $TMPDIR, else /tmp), removed at the end, and never touches a real shared directory; drop --dir";

export const demoCommand = {
  builder: (yargs: Argv) =>
    yargs
      .option('json', { type: 'boolean', default: false, describe: 'print only the summary, as JSON' })
      .option('timing', {
        type: 'string',
        default: 'fast',
        describe: `timing profile: fast (fence_timeout 10 s), default (what an ha.cfg that sets nothing gives: fence_timeout 60 s) or reference (Proxmox's); one of ${Object.keys(TIMING_PROFILES).join(', ')}`,
      })
      // Accepted only to be refused with a reason: yargs would call it an unknown argument.
      .option('dir', { type: 'string', hidden: true })
      .example('$0 demo', 'watch a failover live (about a minute)')
      .example('$0 demo --json', 'the summary for a program: failover time, recoveries, overlaps')
      .example('$0 demo --timing default --json', 'the same with the default fence_timeout of 60 s (about two and a half minutes)'),
  handler: async (args: DemoArgs) => {
    if (args.dir !== undefined) throw new UsageError(DEMO_DIR_REFUSED);
    const profile = profileOf(args.timing);
    const { renderSummary, runDemo } = await import('../../cluster/demo-run.ts');
    const summary = await runDemo(args.json ? () => {} : (text) => process.stdout.write(`${text}\n`), profile);
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 1)}\n` : `${renderSummary(summary)}\n`);
    if (!summary.ok) process.exitCode = 1;
  },
};

function profileOf(text: string): TimingProfileName {
  if (isTimingProfileName(text)) return text;
  throw new UsageError(`--timing: expected one of ${Object.keys(TIMING_PROFILES).join(', ')}, got '${text}'`);
}
