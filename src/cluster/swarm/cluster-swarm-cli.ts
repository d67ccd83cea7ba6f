/**
 * npm run chaos:cluster -- [--seed S] [--minutes M] [--nodes 3..5] [--services K] [--faults all|kind,...]
 *                          [--plant silent-watchdog] [--fail-fast] [--store dir|etcd]
 *
 * A seeded fault swarm against a local cluster of real processes (./cluster-swarm.ts), on a shared
 * directory or (`--store etcd`) on the cluster's own 3-member etcd, whose faults `all` then includes. Prints `seed S`
 * first, progress lines as faults happen, and `N faults, V violations` last; exits 0 only with no
 * violation, 1 with violations, 2 on bad arguments, 128 + the signal's number when interrupted by
 * SIGINT or SIGTERM (everything is stopped and removed first; a folder with violations is kept).
 *
 * A script rather than an `ha-manager` command: it is a test tool that starts a dozen processes and
 * runs for minutes, not something an operator runs against a cluster, and it keeps src/cli free of it.
 */
import { constants as osConstants } from 'node:os';
import { isEtcdInstalled } from '../etcd-members.ts';
import { runClusterSwarm } from './cluster-swarm.ts';
import { parseSwarmArgs, SwarmUsageError, type SwarmCliOptions } from './swarm-args.ts';

async function main(): Promise<number> {
  let options: SwarmCliOptions;
  try {
    options = parseSwarmArgs(process.argv.slice(2), Date.now() % 1_000_000);
    if (options.store === 'etcd' && !isEtcdInstalled()) throw new SwarmUsageError('--store etcd: etcd is not installed here (Debian: apt-get install etcd-server etcd-client)');
  } catch (error) {
    if (!(error instanceof SwarmUsageError)) throw error;
    process.stderr.write(`chaos:cluster: ${error.message}\n`);
    return 2;
  }
  const interrupt = new AbortController();
  let exitOnSignal = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      process.stdout.write(`${signal} again: still stopping the cluster's processes, please wait\n`);
      return;
    }
    process.stdout.write(`${signal}: stopping the faults, then every process of the cluster\n`);
    exitOnSignal = 128 + osConstants.signals[signal];
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const report = await runClusterSwarm({ ...options, print: (line) => process.stdout.write(`${line}\n`), signal: interrupt.signal });
  if (report.violations.length > 0) return 1;
  return report.isInterrupted ? exitOnSignal : 0;
}

process.exitCode = await main();
