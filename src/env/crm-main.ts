import { crmRound, requestCrmStop, startCrm } from '../crm/crm-daemon.ts';
import { DaemonLoop } from './daemon-loop.ts';
import { finishDaemon, flushJournal, publishFencedRecord, registerWithMux, startDaemon } from './node-daemon.ts';
import { NodeCrmEnv } from './node-crm-env.ts';

/** A daemon runs until stopped; this bound only makes the loop finite (over 30 years of 1 s rounds). */
const ROUNDS_MAX = 1e9;

/** ha-crm: the cluster resource manager of this node (DESIGN.md "Processes on a node"). */
export async function runCrm(argv: readonly string[]): Promise<void> {
  const start = await startDaemon('crm', argv);
  const env = new NodeCrmEnv({
    daemon: 'crm',
    node: start.options.node,
    store: start.store,
    config: start.config,
    journal: start.journal,
    isWithoutWatchdog: start.isWithoutWatchdog,
    watchdogSocket: start.options.watchdogSocket,
    onWatchdogFailure: (message) => dieUnprotected(start, message),
    print: (event) => start.sink.event(event),
  });
  await registerWithMux(start, env.muxClient, env.timing);
  start.config.watch();
  let isFenceReported = false;
  const local = startCrm(env);
  const loop = new DaemonLoop({
    roundMs: env.timing.roundMs,
    wakeMinMs: Math.min(env.timing.roundMs, 100),
    nowMs: () => env.nowMs(),
    roundsMax: ROUNDS_MAX,
    round: () => {
      env.beginRound();
      if (!isFenceReported) isFenceReported = publishFencedRecord(start);
      const verdict = crmRound(env, local);
      env.observeAgentLeases();
      return verdict;
    },
    afterRound: () => flushJournal(start),
  });
  const stop = () => {
    requestCrmStop(local);
    loop.wake();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await loop.run();
  await env.watchdog.settled();
  await finishDaemon(start, { rounds: loop.rounds, longestRoundMs: loop.longestRoundMs, largestKeepaliveGapMs: env.watchdog.largestGapMs });
}

/** The watchdog client failed: nothing protects this node's work any more, so the daemon stops at once. */
export function dieUnprotected(start: { log: (line: string, level?: 'err') => void; journal: { flush(): boolean } }, message: string): never {
  start.log(`Watchdog client failed, stopping unprotected work now: ${message}`, 'err');
  start.journal.flush();
  process.exit(1);
}
