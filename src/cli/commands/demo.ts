import type { Argv } from 'yargs';
import { FENCING_MODES, isTimingProfileName, TIMING_PROFILES, type FencingMode, type TimingProfileName } from '../../cluster/cluster-config.ts';
import { LOCAL_STORE_KINDS, type LocalStoreKind } from '../../cluster/local-store.ts';
import { UsageError } from '../exit-codes.ts';

interface DemoArgs {
  readonly json: boolean;
  readonly timing?: string;
  readonly fencing: string;
  readonly store: string;
  readonly endpoints?: string;
  readonly dir?: string;
  readonly web: boolean;
  readonly listen: string;
}

/**
 * The demo's cluster is made from scratch and removed afterwards, so it never takes a shared
 * directory: running it on a real cluster's directory would break that cluster.
 */
export const DEMO_DIR_REFUSED =
  "demo takes no --dir: it builds its own 3-node cluster in a new scratch directory (under $TMPDIR, else /tmp), removed at the end, and never touches a real shared directory; drop --dir";

/** The demo on etcd starts its own etcd: a real cluster's endpoints are never its store. */
export const DEMO_ENDPOINTS_REFUSED =
  "demo takes no --endpoints: with --store etcd it starts its own 3-member etcd on loopback ports, removed at the end, and never touches a real etcd; drop --endpoints";

export const demoCommand = {
  builder: (yargs: Argv) =>
    yargs
      .option('json', { type: 'boolean', default: false, describe: 'print only the summary, as JSON' })
      .option('timing', {
        type: 'string',
        describe: `timing profile: fast (fence_timeout 10 s; the default without --fencing ipmi), default (what an ha.cfg that sets nothing gives: fence_timeout 60 s; the default with --fencing ipmi) or reference (Proxmox's); one of ${Object.keys(TIMING_PROFILES).join(', ')}`,
      })
      .option('fencing', {
        type: 'string',
        default: 'watchdog',
        choices: FENCING_MODES,
        describe: 'watchdog: the lost node is fenced by its watchdog and the lease; ipmi: also by an emulated BMC per node through the real fence_ipmilan (rounds of 1 s; needs fence-agents, ipmitool, openipmi)',
      })
      .option('store', {
        type: 'string',
        default: 'dir',
        choices: LOCAL_STORE_KINDS,
        describe: "dir: the cluster's store is a shared directory in its scratch folder; etcd: its own 3-member etcd on loopback ports (needs etcd-server), each node reaching it through its own TCP proxy, which is how the demo cuts a node off",
      })
      .option('web', { type: 'boolean', default: false, describe: 'show the demo cluster live in the web console while it runs (it then keeps running until Ctrl-C)' })
      .option('listen', { type: 'string', default: '127.0.0.1:8006', describe: 'with --web: HOST:PORT to serve on' })
      // Accepted only to be refused with a reason: yargs would call it an unknown argument.
      .option('dir', { type: 'string', hidden: true })
      .option('endpoints', { type: 'string', hidden: true })
      .example('$0 demo', 'watch a failover live (about a minute)')
      .example('$0 demo --json', 'the summary for a program: failover time, recoveries, overlaps')
      .example('$0 demo --timing default --json', 'the same with the default fence_timeout of 60 s (about two and a half minutes)')
      .example('$0 demo --store etcd', 'the same on the demo\'s own 3-member etcd: the node is cut from etcd')
      .example('$0 demo --web', 'the same, watched at http://127.0.0.1:8006/ (the cluster stays up until Ctrl-C)')
      .example('$0 demo --fencing ipmi', 'the lost node powered off through its BMC: failover in about 10 s at fence_timeout 60 s'),
  handler: async (args: DemoArgs) => {
    if (args.dir !== undefined) throw new UsageError(DEMO_DIR_REFUSED);
    const profile = args.timing === undefined ? undefined : profileOf(args.timing);
    const fencing = fencingOf(args.fencing);
    const store = storeOf(args);
    const { renderSummary, runDemo } = await import('../../cluster/demo-run.ts');
    if (store === 'etcd' && !(await import('../../cluster/etcd-members.ts')).isEtcdInstalled()) {
      throw new UsageError('--store etcd: etcd is not installed here (Debian: apt-get install etcd-server etcd-client); the demo starts its own 3-member etcd');
    }
    const print = args.json ? () => {} : (text: string) => process.stdout.write(`${text}\n`);
    // The console says where it is even with --json (on stderr: stdout stays the summary).
    const watch = args.web ? await webWatch(args.listen) : undefined;
    const summary = await runDemo(print, { ...(profile !== undefined ? { profile } : {}), fencing, store, ...(watch !== undefined ? { watch } : {}) });
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 1)}\n` : `${renderSummary(summary)}\n`);
    if (!summary.ok) process.exitCode = 1;
  },
};

function fencingOf(text: string): FencingMode {
  const mode = FENCING_MODES.find((candidate) => candidate === text);
  if (mode !== undefined) return mode;
  throw new UsageError(`--fencing: expected one of ${FENCING_MODES.join(', ')}, got '${text}'`);
}

/** The demo's store; it starts its own etcd, so it takes no endpoints (the handler checks that etcd is installed). */
function storeOf(args: DemoArgs): LocalStoreKind {
  if (args.endpoints !== undefined) throw new UsageError(DEMO_ENDPOINTS_REFUSED);
  const store = LOCAL_STORE_KINDS.find((candidate) => candidate === args.store);
  if (store === undefined) throw new UsageError(`--store: expected one of ${LOCAL_STORE_KINDS.join(', ')}, got '${args.store}'`);
  return store;
}

function profileOf(text: string): TimingProfileName {
  if (isTimingProfileName(text)) return text;
  throw new UsageError(`--timing: expected one of ${Object.keys(TIMING_PROFILES).join(', ')}, got '${text}'`);
}

/** `demo --web`: the live console over the demo's cluster, up until Ctrl-C after the story (said on stderr: stdout stays the demo's). */
async function webWatch(listen: string) {
  const { demoConsole, untilInterrupted } = await import('../../web/demo-console.ts');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  return { start: demoConsole({ listen }, log), held: () => untilInterrupted(log) };
}
