import { appendJsonLine, resetsFileOf } from '../../resources/sim-ledger.ts';
import { pollUntil } from '../cluster-process.ts';
import type { LocalCluster } from '../local-cluster.ts';
import { processesUnder, processLabel, signalProcess, type HostProcess } from './host-processes.ts';

/**
 * What happens to a whole node: paused (every process stopped, as a hung kernel would leave it), reset
 * (every process killed at once), rebooted (the daemons stopped cleanly, then everything else). The
 * node's processes are found by their command line (./host-processes.ts), so a service its LRM spawned
 * a moment ago, not yet listed in the node's pids/, goes down with the node too. The emulated watchdog
 * is the node's hardware: a pause leaves it running; a reset or reboot restarts it with the node.
 */

/** A process killed still needs its parent to reap it: this long at most. */
const KILL_WAIT_MS = 5_000;
/** On a clean reboot, what is still running after the daemons stopped gets this long after SIGTERM. */
const SHUTDOWN_GRACE_MS = 5_000;
/** A daemon stopped for a reboot: the CRM and the mux get this long, the LRM (services to stop or move) longer. */
const DAEMON_STOP_GRACE_MS = 10_000;
const LRM_STOP_GRACE_MS = 20_000;
const EMULATOR_PROGRAM = '/ha-watchdog-emulator';

function isEmulator(found: HostProcess): boolean {
  return found.args.some((arg) => arg.endsWith(EMULATOR_PROGRAM));
}

/** SIGSTOP to every process of `node` but its emulated watchdog; returns them, for `resumeProcesses`. */
export function pauseNode(cluster: LocalCluster, node: string): HostProcess[] {
  const paused = processesUnder(cluster.nodeDir(node)).filter((found) => !isEmulator(found));
  return paused.filter((found) => signalProcess(found, 'SIGSTOP'));
}

/** SIGCONT to each process that is still the one paused; returns how many were. */
export function resumeProcesses(paused: readonly HostProcess[]): number {
  return paused.filter((found) => signalProcess(found, 'SIGCONT')).length;
}

/**
 * Kills every process of `node` (its emulated watchdog too: the node's hardware restarts with it),
 * SIGTERM first when `isGraceful`. When a service process (or, for `alwaysRecorded`, anything) had to
 * be killed, appends a reset record to the node's resets.jsonl, written after the processes are gone:
 * the ledger check ends a service run there, as it does at a watchdog reset. Returns what was killed.
 */
export async function killNode(cluster: LocalCluster, node: string, options: { isGraceful: boolean; reason: string; isAlwaysRecorded?: boolean }): Promise<string[]> {
  const nodeDir = cluster.nodeDir(node);
  if (options.isGraceful) {
    const running = processesUnder(nodeDir);
    for (const found of running) signalProcess(found, 'SIGTERM');
    await waitUntilGone(nodeDir, SHUTDOWN_GRACE_MS);
  }
  const left = processesUnder(nodeDir);
  // A stopped process dies of SIGKILL too; no SIGCONT first, which would let it run for a moment.
  for (const found of left) signalProcess(found, 'SIGKILL');
  await waitUntilGone(nodeDir, KILL_WAIT_MS);
  const killed = left.filter((found) => !isEmulator(found)).map(processLabel);
  if (killed.length > 0 || options.isAlwaysRecorded === true) appendJsonLine(resetsFileOf(nodeDir), { wallMs: Date.now(), reason: options.reason, killed });
  await awaitTrackedExits(cluster, node);
  return killed;
}

/** A reset as the node's watchdog would do it, and the hardware with it: every process killed at once. */
export async function resetNode(cluster: LocalCluster, node: string): Promise<string[]> {
  return killNode(cluster, node, { isGraceful: false, reason: 'reset by the swarm', isAlwaysRecorded: true });
}

/**
 * A clean reboot: the LRM told it is a reboot (its services stop, freeze or move per the shutdown
 * policy) and stopped, then the CRM and the mux, then whatever still runs (SIGTERM, then SIGKILL), as
 * the operating system's shutdown would. Returns what had to be killed.
 */
export async function rebootNode(cluster: LocalCluster, node: string): Promise<string[]> {
  cluster.requestShutdownKind(node, 'reboot');
  await cluster.process(node, 'lrm')?.stop(LRM_STOP_GRACE_MS);
  await cluster.process(node, 'crm')?.stop(DAEMON_STOP_GRACE_MS);
  await cluster.process(node, 'mux')?.stop(DAEMON_STOP_GRACE_MS);
  return killNode(cluster, node, { isGraceful: true, reason: 'killed at the end of a reboot' });
}

async function waitUntilGone(nodeDir: string, timeoutMs: number): Promise<void> {
  await pollUntil(`the processes of ${nodeDir} to exit`, timeoutMs, () => processesUnder(nodeDir).length === 0, 50).catch(() => undefined);
}

/** The cluster's own handles see their exits (the next boot starts only what is not running). */
async function awaitTrackedExits(cluster: LocalCluster, node: string): Promise<void> {
  const exits = (['emulator', 'mux', 'lrm', 'crm'] as const).map((daemon) => cluster.process(node, daemon)?.exited);
  const timeout = new Promise((resolve) => setTimeout(resolve, KILL_WAIT_MS).unref());
  await Promise.race([Promise.all(exits), timeout]);
}
