import { processesUnder, signalProcess, type HostProcess } from '../host-processes.ts';
import type { LocalCluster } from '../local-cluster.ts';
import { isEmulator, killNode } from '../node-kill.ts';

// killNode lives below the swarm (an emulated BMC powers a node off with it); kept importable from here too.
export { killNode };

/**
 * What happens to a whole node: paused (every process stopped, as a hung kernel would leave it), reset
 * (every process killed at once: ../node-kill.ts), rebooted (the daemons stopped cleanly, then
 * everything else). The emulated watchdog is the node's hardware: a pause leaves it running; a reset
 * or reboot restarts it with the node.
 */

/** A daemon stopped for a reboot: the CRM and the mux get this long, the LRM (services to stop or move) longer. */
const DAEMON_STOP_GRACE_MS = 10_000;
const LRM_STOP_GRACE_MS = 20_000;

/** SIGSTOP to every process of `node` but its emulated watchdog; returns them, for `resumeProcesses`. */
export function pauseNode(cluster: LocalCluster, node: string): HostProcess[] {
  const paused = processesUnder(cluster.nodeDir(node)).filter((found) => !isEmulator(found));
  return paused.filter((found) => signalProcess(found, 'SIGSTOP'));
}

/** SIGCONT to each process that is still the one paused; returns how many were. */
export function resumeProcesses(paused: readonly HostProcess[]): number {
  return paused.filter((found) => signalProcess(found, 'SIGCONT')).length;
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
