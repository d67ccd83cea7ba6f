import { appendJsonLine, resetsFileOf } from '../resources/sim-ledger.ts';
import { pollUntil } from './cluster-process.ts';
import { processesUnder, processLabel, signalProcess, type HostProcess } from './host-processes.ts';
import type { LocalCluster } from './local-cluster.ts';

/**
 * A whole node of a local cluster killed, as a power-off or a watchdog reset would end it. Here, below
 * the fault swarm (src/cluster/swarm/node-power.ts), because an emulated BMC's power-off (the demo, the
 * benchmarks, the end-to-end tests) ends a node the same way a swarm's reset does. The node's processes
 * are found by their command line (./host-processes.ts), so a service its LRM spawned a moment ago, not
 * yet listed in the node's pids/, goes down with the node too. The emulated watchdog is the node's
 * hardware: it is killed with the node and restarts when the node starts again.
 */

/** A process killed still needs its parent to reap it: this long at most. */
const KILL_WAIT_MS = 5_000;
/** What still runs after SIGTERM (a graceful kill) gets this long before SIGKILL. */
const SHUTDOWN_GRACE_MS = 5_000;
const EMULATOR_PROGRAM = '/ha-watchdog-emulator';

export function isEmulator(found: HostProcess): boolean {
  return found.args.some((arg) => arg.endsWith(EMULATOR_PROGRAM));
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

async function waitUntilGone(nodeDir: string, timeoutMs: number): Promise<void> {
  await pollUntil(`the processes of ${nodeDir} to exit`, timeoutMs, () => processesUnder(nodeDir).length === 0, 50).catch(() => undefined);
}

/** The cluster's own handles see their exits (the next boot starts only what is not running). */
async function awaitTrackedExits(cluster: LocalCluster, node: string): Promise<void> {
  const exits = (['emulator', 'mux', 'lrm', 'crm'] as const).map((daemon) => cluster.process(node, daemon)?.exited);
  const timeout = new Promise((resolve) => setTimeout(resolve, KILL_WAIT_MS).unref());
  await Promise.race([Promise.all(exits), timeout]);
}
