import { DirStatusStore } from '../store/dir-status-store.ts';
import type { Timing } from '../common/timing.ts';
import { failoverBoundMs, TIMING_PROFILES, type TimingProfileName } from './cluster-config.ts';
import { pollUntil } from './cluster-process.ts';
import { renderSnapshot, snapshotOf } from './cluster-view.ts';
import { waitForMaster, waitForPlacement, waitForRecoveries, waitForReset, type Recovery } from './failover.ts';
import { LocalCluster } from './local-cluster.ts';

/** What `ha-manager demo` reports at the end (and prints as JSON with --json). */
export interface DemoSummary {
  readonly ok: boolean;
  readonly nodes: readonly string[];
  readonly master: string;
  readonly cutNode: string;
  readonly profile: TimingProfileName;
  readonly timing: Timing;
  /** From the cut to the watchdog reset of the cut node. */
  readonly fencedAfterMs: number;
  /** From the cut to the last of its services running elsewhere. */
  readonly failoverMs: number;
  readonly failoverBoundMs: number;
  readonly recoveries: readonly Recovery[];
  readonly overlaps: number;
  /** What the cut node published about itself after it came back. */
  readonly fencedRecord: string | null;
  readonly leftoverProcesses: number;
  readonly durationMs: number;
  readonly error?: string;
}

const NODES = ['node1', 'node2', 'node3'];
const PLACEMENT: Readonly<Record<string, string>> = { 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' };
/**
 * Budgets of the steps: startup of the processes on a loaded 2-core host plus a few rounds; the
 * failover bound of the timing plus that startup allowance again (a late step is a failure, not a
 * figure); the cut node's return. With the fast profile together well inside the 90 s the demo
 * promises.
 */
const STARTUP_MS = 20_000;
const startMsMax = (timing: Timing) => STARTUP_MS + 5 * timing.roundMs;
const recoveryMsMax = (timing: Timing) => failoverBoundMs(timing) + STARTUP_MS;
const comebackMsMax = (timing: Timing) => STARTUP_MS + 3 * timing.roundMs;

/**
 * The demo: a 3-node cluster on this machine (real processes, emulated watchdogs, `sim` services, the
 * fast timing profile unless another is asked for), one node cut from the shared storage, its fence
 * and the recovery of its service, the node's return (it publishes why it was fenced), then
 * everything stopped and checked.
 */
export async function runDemo(print: (text: string) => void, profile: TimingProfileName = 'fast'): Promise<DemoSummary> {
  const startedMs = Date.now();
  const timing = TIMING_PROFILES[profile];
  const cluster = LocalCluster.create({ nodes: NODES, timing, resources: Object.entries(PLACEMENT).map(([sid, node]) => ({ sid, node })) });
  const sids = Object.keys(PLACEMENT);
  let lastTable = '';
  const show = (note: string) => {
    const text = renderSnapshot(snapshotOf(cluster, sids), Date.now() - startedMs, note);
    const table = text.slice(text.indexOf('\n'));
    if (table !== lastTable) print(text); // the live table is printed when it changed
    lastTable = table;
  };
  const partial: { master: string; cutNode: string; fencedAfterMs: number; recoveries: Recovery[]; fencedRecord: string | null } = {
    master: '-', cutNode: '-', fencedAfterMs: -1, recoveries: [], fencedRecord: null,
  };
  let error: string | undefined;
  // Ctrl-C reaches the daemons too (same process group), but not the detached service processes: stop
  // what is left and remove the folder before exiting.
  const interrupt = () => {
    print('Interrupted: stopping every process the demo started...');
    void cluster.stop().then(() => {
      cluster.remove();
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  print(`Demo cluster in ${cluster.root}: ${NODES.join(', ')}; timing ${profile} ${JSON.stringify(timing)}`);
  try {
    await runSteps(cluster, sids, partial, show, print);
  } catch (caught) {
    error = (caught as Error).message;
    print(`Demo failed: ${error}`);
  }
  print('Stopping every process the demo started...');
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  await cluster.stop();
  const leftoverProcesses = cluster.allProcesses().filter((process) => process.isRunning).length + cluster.registeredAlive().length;
  const overlaps = cluster.overlaps().length;
  cluster.remove();
  const failoverMs = Math.max(-1, ...partial.recoveries.map((recovery) => recovery.afterMs));
  const ok = error === undefined && partial.recoveries.length > 0 && overlaps === 0 && leftoverProcesses === 0;
  return {
    ok, nodes: NODES, ...partial, profile, timing, failoverMs, failoverBoundMs: failoverBoundMs(timing), overlaps, leftoverProcesses,
    durationMs: Date.now() - startedMs, ...(error !== undefined ? { error } : {}),
  };
}

async function runSteps(
  cluster: LocalCluster,
  sids: string[],
  partial: { master: string; cutNode: string; fencedAfterMs: number; recoveries: Recovery[]; fencedRecord: string | null },
  show: (note: string) => void,
  print: (text: string) => void,
): Promise<void> {
  await cluster.startAll();
  partial.master = await waitForMaster(cluster, startMsMax(cluster.spec.timing));
  await waitForPlacement(cluster, PLACEMENT, startMsMax(cluster.spec.timing));
  show('all services running');
  const cutNode = NODES.find((node) => node !== partial.master)!;
  partial.cutNode = cutNode;
  const lost = sids.filter((sid) => PLACEMENT[sid] === cutNode);
  const cutWallMs = Date.now();
  cluster.cut(cutNode);
  print(`Cut ${cutNode} from the shared storage (its link now points nowhere); it runs ${lost.join(', ')}`);
  const resetPromise = waitForReset(cluster, cutNode, cutWallMs, recoveryMsMax(cluster.spec.timing));
  partial.recoveries = await waitForRecoveries(cluster, { sids: lost, from: cutNode, sinceWallMs: cutWallMs, timeoutMs: recoveryMsMax(cluster.spec.timing), onTick: () => show(`${cutNode} cut`) });
  partial.fencedAfterMs = (await resetPromise) - cutWallMs;
  show('recovered');
  for (const recovery of partial.recoveries) print(`Recovered ${recovery.sid} from ${recovery.from} on ${recovery.to} ${(recovery.afterMs / 1000).toFixed(1)} s after the cut`);
  print(`${cutNode} was reset by its watchdog ${(partial.fencedAfterMs / 1000).toFixed(1)} s after the cut. Reconnecting and restarting it...`);
  cluster.heal(cutNode);
  await cluster.startNode(cutNode);
  partial.fencedRecord = await waitForFencedRecord(cluster, cutNode, cutWallMs);
  print(`${cutNode} is back and published: ${partial.fencedRecord}`);
  show(`${cutNode} back`);
}

async function waitForFencedRecord(cluster: LocalCluster, node: string, sinceWallMs: number): Promise<string> {
  const status = new DirStatusStore(cluster.sharedDir);
  let reason = '';
  await pollUntil(`${node} to publish status/fenced/${node}.json`, comebackMsMax(cluster.spec.timing), () => {
    const read = status.readFencedRecord(node);
    reason = read.kind === 'ok' && read.value.wallMs >= sinceWallMs ? read.value.reason : '';
    return reason !== '';
  }, 200);
  return reason;
}

/** The summary as text, for the end of the demo. */
export function renderSummary(summary: DemoSummary): string {
  const lines = [
    `Summary: ${summary.ok ? 'OK' : 'FAILED'}${summary.error !== undefined ? ` (${summary.error})` : ''}`,
    `  master ${summary.master}; cut ${summary.cutNode}; reset by its watchdog after ${(summary.fencedAfterMs / 1000).toFixed(1)} s`,
    `  failover time ${(summary.failoverMs / 1000).toFixed(1)} s (bound of the timing rule and rounds: ${(summary.failoverBoundMs / 1000).toFixed(1)} s)`,
    `  recoveries ${summary.recoveries.length}: ${summary.recoveries.map((recovery) => `${recovery.sid} ${recovery.from}->${recovery.to}`).join(', ') || 'none'}`,
    `  overlaps in the ledger (a service on two nodes at once): ${summary.overlaps}`,
    `  processes left behind: ${summary.leftoverProcesses}; demo took ${(summary.durationMs / 1000).toFixed(1)} s`,
  ];
  return lines.join('\n');
}
