import { AssertionError } from '../common/assert.ts';
import { ConfigError } from '../config/section-config.ts';
import { openStore } from '../config/store-config.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { ownIdentity } from '../store/config-lock.ts';
import { EtcdClusterStore } from '../store/etcd/etcd-cluster-store.ts';
import { sharedPaths } from '../store/shared-dir.ts';
import type { StoreUnavailable } from '../store/store-ports.ts';
import { readResets, registerProcess, unregisterProcess } from '../watchdog/emulator/node-dir.ts';
import { currentBootId, fencedRecordOf, lastRunOf, type LastRun } from './fence-report.ts';
import { NodeConfigSource } from './node-config.ts';
import { JOURNAL_BUFFER_MAX, NodeJournal } from './node-journal.ts';
import { DaemonUsageError, DAEMON_USAGE, journalFileOf, parseNodeOptions, wantsHelp, type NodeOptions } from './node-options.ts';
import { createLogSink, isJournalStream, type LogSink } from '../common/log-sink.ts';
import type { LogLevel } from '../common/trace.ts';
import { fsProblemLine } from '../common/fs-problem.ts';
import { timingViolations, type Timing } from '../common/timing.ts';
import { WatchdogClientError } from '../watchdog/watchdog-client.ts';
import { assertMuxSocket, type NodeWatchdog } from './node-watchdog.ts';

/** How long a daemon starting with its store out of reach (or not set up) waits for it before giving up. */
const STORE_WAIT_MS_MAX = 120_000;
const STORE_POLL_MS = 500;
/** Black-box entries read at start to tell how the previous run ended. */
const LAST_RUN_ENTRIES = 2_000;

/** Everything a daemon has once it started: its options, config, journal, and how its last run ended. */
export interface DaemonStart {
  readonly daemon: 'crm' | 'lrm';
  readonly options: NodeOptions;
  /** The cluster's store, opened once for the daemon's life (config writes never wait for a dir lock). */
  readonly store: ClusterStore;
  readonly config: NodeConfigSource;
  readonly journal: NodeJournal;
  readonly lastRun: LastRun;
  /** A message that is no trace event, at `level` (default info), in the daemon's --log-format. */
  readonly log: (line: string, level?: LogLevel) => void;
  /** Where the daemon's trace events and messages go (stderr, the journal under systemd). */
  readonly sink: LogSink;
  /** Set by `registerWithMux`: this process claimed the registration its previous run left armed. */
  hasClaimed: boolean;
  /** The last flush of the journal wrote its rows (flushJournal says when that changes). */
  isJournalWritable: boolean;
  /** fence.cfg configures this node `watchdog none` (read at start; a change takes a restart). */
  readonly isWithoutWatchdog: boolean;
}

/** Parses flags, checks the watchdog, waits for the store, loads config and journal. Exits on failure. */
export async function startDaemon(daemon: 'crm' | 'lrm', argv: readonly string[]): Promise<DaemonStart> {
  if (wantsHelp(argv)) {
    process.stdout.write(`usage: ha-${daemon} ${DAEMON_USAGE}\n`);
    process.exit(0);
  }
  let options: NodeOptions;
  try {
    options = parseNodeOptions(argv);
  } catch (error) {
    if (!(error instanceof DaemonUsageError)) throw error;
    process.stderr.write(`ha-${daemon}: ${error.message}\n${error.isCommandLine ? `usage: ha-${daemon} ${DAEMON_USAGE}\n` : ''}`);
    process.exit(2);
  }
  const sink = createLogSink({
    format: options.logFormat,
    node: options.node,
    daemon,
    isJournal: isJournalStream(process.env),
    write: (text) => process.stderr.write(text),
    wallMs: () => Date.now(),
  });
  const log = (line: string, level: LogLevel = 'info') => sink.message(level, line);
  if (options.isEmulatedWatchdog) {
    log(`WARNING: ${options.node} runs with an EMULATED watchdog (${options.watchdogSocket}): a hung node is NOT reset by hardware. Tests and demos only.`, 'warn');
  }
  // A daemon's config write never waits for a dir store's lock: a busy lock is retried after the round.
  const store = openStore(options.store, { waitMsMax: 0, identity: ownIdentity(options.node) });
  const config = await loadWhenReady(store, options, log);
  const isWithoutWatchdog = config.isWithoutWatchdog(options.node);
  if (isWithoutWatchdog) {
    log(`WARNING: ${options.node} runs WITHOUT a watchdog (fence.cfg: node ${options.node} watchdog=none): nothing resets it; its services are recovered only when its fence devices, kdump or an operator prove it down`, 'warn');
  } else {
    try {
      assertMuxSocket(options.watchdogSocket);
    } catch (error) {
      log((error as Error).message, 'err');
      process.exit(1);
    }
  }
  const undeclared = config.undeclaredProblem(options.node);
  if (undeclared !== undefined) {
    log(undeclared, 'err');
    process.exit(1);
  }
  const journal = openJournal(options, daemon, log);
  const lastRun = lastRunOf(journal.lastBlackBox(LAST_RUN_ENTRIES));
  journal.record({ wallMs: Date.now(), monoMs: Math.floor(performance.now()), kind: 'start', detail: `pid ${process.pid} boot ${currentBootId() ?? 'unknown'}` });
  journal.flush();
  if (options.nodeDir !== undefined) registerInNodeDir(options.nodeDir, daemon, log);
  return { daemon, options, store, config, journal, lastRun, log, sink, hasClaimed: false, isJournalWritable: true, isWithoutWatchdog };
}

/**
 * Registers with the watchdog mux before the first round (hello and reply, bounded by the client's
 * REPLY_WAIT_MS), and checks the timing rule against the device's actual timeout, which the mux reports:
 * a device slower than ha.cfg assumes counts with its own figure. A refused hello or an unsafe timing
 * is one line with the numbers and exit code 1, before any service runs.
 */
export async function registerWithMux(start: DaemonStart, watchdog: NodeWatchdog | undefined, timing: Timing): Promise<void> {
  if (watchdog === undefined) return; // `watchdog none`: no mux to register with (startDaemon said so)
  let registration;
  try {
    registration = await watchdog.register();
  } catch (error) {
    if (!(error instanceof WatchdogClientError)) throw error;
    exitBeforeStart(start, `${error.message}; no services run unprotected`);
  }
  const deviceTimeoutMs = Math.max(timing.watchdogDeviceTimeoutMs, registration.deviceTimeoutMs);
  const problems = timingViolations({ ...timing, watchdogDeviceTimeoutMs: deviceTimeoutMs });
  if (problems.length > 0) {
    const device = `the watchdog device's actual timeout is ${registration.deviceTimeoutMs} ms (ha.cfg assumes ${timing.watchdogDeviceTimeoutMs} ms)`;
    exitBeforeStart(start, `Unsafe timing: ${device}: ${problems.map((problem) => problem.message).join('; ')}`);
  }
  start.hasClaimed = registration.claimed !== undefined;
  start.journal.flush();
}

/**
 * Writes the journal after a round. A flush that fails (another process holds the file's write lock,
 * e.g. an open `sqlite3` transaction, or the disk fails) keeps its rows in memory and the daemon runs
 * on; said once when it starts failing and once when it writes again, never every round.
 */
export function flushJournal(start: DaemonStart): void {
  const isWritten = start.journal.flush();
  if (isWritten === start.isJournalWritable) return;
  start.isJournalWritable = isWritten;
  const file = start.journal.file;
  if (!isWritten) {
    start.log(`Journal ${file} cannot be written: another process holds its lock (an open sqlite3 session?) or the disk fails; its rows wait in memory (up to ${JOURNAL_BUFFER_MAX}, then the oldest are dropped) and are written once it is free, tried after every round`, 'warn');
    return;
  }
  const dropped = start.journal.droppedRows;
  start.log(`Journal ${file} written again${dropped > 0 ? `; ${dropped} rows were dropped while it could not be` : ', nothing lost'}`, 'notice');
}

function exitBeforeStart(start: DaemonStart, message: string): never {
  start.log(message, 'err');
  start.journal.flush();
  process.exit(1);
}

/** Waits until the store is there and set up (never setting it up itself), then loads the config. */
async function loadWhenReady(store: ClusterStore, options: NodeOptions, log: DaemonStart['log']): Promise<NodeConfigSource> {
  const startMs = Date.now();
  let probe = store.probe();
  // Said at once, not after the wait: the operator who forgot the setup learns it now.
  if (probe !== 'ready') log(`${notReadyProblem(store, options, probe)}; waiting up to ${STORE_WAIT_MS_MAX / 1000} s for it`, 'warn');
  while (probe !== 'ready') {
    if (Date.now() - startMs > STORE_WAIT_MS_MAX) {
      log(`${notReadyProblem(store, options, probe)}; gave up after ${STORE_WAIT_MS_MAX / 1000} s`, 'err');
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, STORE_POLL_MS));
    probe = store.probe();
  }
  try {
    return NodeConfigSource.load(store, (line) => log(line, 'warn'));
  } catch (error) {
    if (error instanceof AssertionError || !(error instanceof ConfigError || error instanceof Error)) throw error;
    log(`Cannot start, the config does not load: ${error.message}`, 'err');
    process.exit(1);
  }
}

/** Why the store is not ready, and what to do: a dir store that is not mounted or set up, etcd out of reach or not set up under its prefix. */
function notReadyProblem(store: ClusterStore, options: NodeOptions, probe: 'not-set-up' | StoreUnavailable): string {
  if (!(store instanceof EtcdClusterStore)) {
    const root = store.where;
    return `Shared directory ${root} has no ${root}/leases: the shared filesystem is not mounted yet, or the cluster was never set up (run 'ha-manager init --dir ${root}' once, on one node)`;
  }
  if (probe !== 'not-set-up') return `The etcd store ${store.where} is unreachable (${probe.message}): etcd is down, has no majority, or this node is cut off from it`;
  const endpoints = store.connection.endpoints.join(',');
  const flags = options.store.from === '--store etcd' ? ` --store etcd --endpoints ${endpoints}` : '';
  return `The etcd store ${store.where} is not set up under its prefix (no key ${store.keys.cluster}): the cluster was never set up there, or the prefix is wrong (run 'ha-manager init${flags}' once, on one node)`;
}

/** Lists this process in the emulated watchdog's node run directory, or one line naming it, and exit 1. */
function registerInNodeDir(nodeDir: string, daemon: 'crm' | 'lrm', log: DaemonStart['log']): void {
  try {
    registerProcess(nodeDir, `ha-${daemon}`);
  } catch (error) {
    const line = fsProblemLine('list this process in the node run directory', nodeDir, error, 'every process of an emulated node writes its pid there (--node-dir)');
    if (line === undefined) throw error;
    log(line, 'err');
    process.exit(1);
  }
}

/** The journal, or one line naming the state directory and what to do, and exit 1. */
function openJournal(options: NodeOptions, daemon: 'crm' | 'lrm', log: DaemonStart['log']): NodeJournal {
  const file = journalFileOf(options, daemon);
  const remedy = `the state directory (--state-dir, default /var/lib/ha-manager) must be a writable directory on this node's own disk`;
  try {
    return new NodeJournal(file);
  } catch (error) {
    const sqliteCode = (error as { code?: unknown }).code;
    const line =
      fsProblemLine('create the journal directory', options.stateDir, error, remedy) ??
      (typeof sqliteCode === 'string' && sqliteCode.startsWith('SQLITE_') ? `Cannot open the journal ${file}: ${(error as Error).message} (${sqliteCode}); ${remedy}` : undefined);
    if (line === undefined) throw error;
    log(line, 'err');
    process.exit(1);
  }
}

/**
 * Publishes status/fenced/<node>.json when the previous run died with its watchdog armed (and this
 * run did not claim that registration). Returns
 * true once done (or when there is nothing to publish); the daemon retries every round until then.
 */
export function publishFencedRecord(start: DaemonStart): boolean {
  // A registration this process claimed was carried on: the previous run's node was not reset.
  if (!start.lastRun.diedArmed || start.hasClaimed) return true;
  const { options } = start;
  const lastRenewal = start.lastRun.lastRenewalWallMs ?? 0;
  const emulatedReset = options.nodeDir === undefined ? undefined : readResets(options.nodeDir).find((reset) => reset.wallMs >= lastRenewal);
  const record = fencedRecordOf(options.node, `ha-${start.daemon}`, start.lastRun, {
    wallMs: Date.now(),
    bootId: currentBootId(),
    emulatedResetWallMs: emulatedReset?.wallMs,
    ...(emulatedReset !== undefined ? { emulatedResetCause: emulatedReset.reason } : {}),
  });
  const written = start.store.status.writeFencedRecord(record);
  if (written.kind !== 'written') return false;
  start.journal.record({ wallMs: Date.now(), monoMs: Math.floor(performance.now()), kind: 'fenced-published', detail: record.reason });
  start.log(`Published ${fencedName(start.store, options.node)}: ${record.reason}`);
  return true;
}

/** Where the fenced record of `node` is, for the message: its file, or `etcd:<key>`. */
function fencedName(store: ClusterStore, node: string): string {
  return store instanceof EtcdClusterStore ? `etcd:${store.keys.fenced(node)}` : sharedPaths(store.where).fenced(node);
}

/** The clean end of a daemon: journal closed, pid file removed, config watcher closed, store closed. */
export async function finishDaemon(start: DaemonStart, figures: Record<string, number>): Promise<void> {
  start.journal.record({ wallMs: Date.now(), monoMs: Math.floor(performance.now()), kind: 'exit', detail: JSON.stringify(figures) });
  start.journal.close();
  await start.config.close();
  start.store.close();
  if (start.options.nodeDir !== undefined) unregisterProcess(start.options.nodeDir, `ha-${start.daemon}`);
  start.log(`exit ${JSON.stringify(figures)}`);
}
