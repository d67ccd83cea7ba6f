import { dirname, join } from 'node:path';
import { lrmRound, requestLrmShutdown, startLrm } from '../lrm/lrm-daemon.ts';
import { createNodeDrivers, parseDriverKinds, typesWithoutDir } from '../resources/node-drivers.ts';
import { dieUnprotected } from './crm-main.ts';
import { DaemonLoop } from './daemon-loop.ts';
import { finishDaemon, flushJournal, publishFencedRecord, registerWithMux, startDaemon } from './node-daemon.ts';
import { NodeLrmEnv } from './node-lrm-env.ts';
import { shutdownKindOf } from './shutdown-kind.ts';

const ROUNDS_MAX = 1e9;
/** After a job finished the next round may run this soon, so results reach the master quickly. */
const WAKE_MIN_MS = 100;

/** ha-lrm: the local resource manager of this node (DESIGN.md "Processes on a node"). */
export async function runLrm(argv: readonly string[]): Promise<void> {
  const start = await startDaemon('lrm', argv);
  const { options } = start;
  let drivers;
  try {
    // The cluster's mapping (built-in < ha.cfg), then this node's --drivers overrides.
    const overrides = options.drivers === undefined ? {} : parseDriverKinds(options.drivers);
    const kinds = { ...start.config.driverKinds, ...overrides };
    // Asked for on this node's command line, a driver that cannot run is a usage error, not a warning.
    const overridesWithoutDir = typesWithoutDir(overrides, options.driverDir);
    if (overridesWithoutDir.length > 0) throw new Error(`${overridesWithoutDir.map((type) => `${type}=${overrides[type]}`).join(',')} needs a directory for the drivers' files (the sim ledger, VM definitions, OCF specs): add --dir DIR (with --store etcd, --dir names that directory)`);
    // Node run directories are siblings named after their node (the sim driver starts a migrated
    // service in the target's directory): <parent>/<node>.
    const parent = options.nodeDir === undefined ? '/run/ha-manager/nodes' : dirname(options.nodeDir);
    const nodeDirOf = (node: string) => join(parent, node);
    drivers = createNodeDrivers({ node: options.node, sharedDir: options.driverDir, nodeDirOf, kinds });
  } catch (error) {
    start.log(`Bad --drivers: ${(error as Error).message}`, 'err');
    process.exit(2);
  }
  const withoutDir = typesWithoutDir({ ...start.config.driverKinds }, options.driverDir);
  if (withoutDir.length > 0) start.log(`No directory for the drivers' files (--dir, or dir: in the store file): service types ${withoutDir.join(', ')} are unavailable on ${options.node}`, 'warn');
  let loop: DaemonLoop | undefined;
  const env = new NodeLrmEnv(
    {
      daemon: 'lrm',
      node: options.node,
      store: start.store,
      config: start.config,
      journal: start.journal,
      isWithoutWatchdog: start.isWithoutWatchdog,
      watchdogSocket: options.watchdogSocket,
      onWatchdogFailure: (message) => dieUnprotected(start, message),
      print: (event) => start.sink.event(event),
    },
    drivers,
    () => loop?.wake(),
  );
  await registerWithMux(start, env.muxClient, env.timing);
  start.config.watch();
  let isFenceReported = false;
  const local = startLrm(env);
  loop = new DaemonLoop({
    roundMs: env.timing.roundMs,
    wakeMinMs: WAKE_MIN_MS,
    nowMs: () => env.nowMs(),
    roundsMax: ROUNDS_MAX,
    round: () => {
      env.beginRound();
      if (!isFenceReported) isFenceReported = publishFencedRecord(start);
      return lrmRound(env, local);
    },
    afterRound: () => flushJournal(start),
  });
  const stop = () => {
    const kind = shutdownKindOf(options.stateDir);
    start.log(`Stop requested: ${kind}`);
    requestLrmShutdown(env, local, kind);
    loop?.wake();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await loop.run();
  await env.watchdog.settled();
  await finishDaemon(start, { rounds: loop.rounds, longestRoundMs: loop.longestRoundMs, largestKeepaliveGapMs: env.watchdog.largestGapMs });
}
