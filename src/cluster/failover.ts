import { pollUntil } from './cluster-process.ts';
import type { LocalCluster } from './local-cluster.ts';

/** One service that came back on another node after its node was lost. */
export interface Recovery {
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  /** From the fault (cut, kill) to the service's `start` on the new node in the ledger. */
  readonly afterMs: number;
}

/** Waits until every sid runs exactly where `placement` says (live processes). */
export async function waitForPlacement(cluster: LocalCluster, placement: Readonly<Record<string, string>>, timeoutMs: number): Promise<number> {
  return pollUntil(`services to run at ${JSON.stringify(placement)}`, timeoutMs, () =>
    Object.entries(placement).every(([sid, node]) => {
      const nodes = cluster.runningOn(sid);
      return nodes.length === 1 && nodes[0] === node;
    }),
  200);
}

/** The master as the manager status names it, once there is one. */
export async function waitForMaster(cluster: LocalCluster, timeoutMs: number): Promise<string> {
  const status = cluster.store.status;
  let master: string | undefined;
  await pollUntil('a master', timeoutMs, () => {
    const read = status.readManagerStatus();
    master = read.kind === 'ok' ? read.value.masterNode : undefined;
    return master !== undefined;
  }, 200);
  return master!;
}

/**
 * Waits until each of `sids` (which ran on `from`) has started on another node after `sinceWallMs`,
 * as the ledger records it; `onTick` runs about once a second (the demo's live table).
 */
export async function waitForRecoveries(
  cluster: LocalCluster,
  options: RecoveryWait & { timeoutMs: number; onTick?: () => void },
): Promise<Recovery[]> {
  let recoveries: Recovery[] = [];
  let lastTickMs = 0;
  await pollUntil(`${options.sids.join(', ')} to be recovered from ${options.from}`, options.timeoutMs, () => {
    if (options.onTick && Date.now() - lastTickMs >= 1000) {
      lastTickMs = Date.now();
      options.onTick();
    }
    recoveries = recoveriesIn(cluster, options);
    return recoveries.length === options.sids.length;
  }, 100);
  return recoveries;
}

/** `from` names the lost node; with several lost nodes, `lostNodes` lists them all. */
interface RecoveryWait {
  readonly sids: readonly string[];
  readonly from: string;
  readonly lostNodes?: readonly string[];
  readonly sinceWallMs: number;
}

function recoveriesIn(cluster: LocalCluster, options: RecoveryWait): Recovery[] {
  const lost = options.lostNodes ?? [options.from];
  const ledger = cluster.ledger();
  const recoveries: Recovery[] = [];
  for (const sid of options.sids) {
    const start = ledger.find((entry) => entry.sid === sid && entry.event === 'start' && !lost.includes(entry.node) && entry.wallMs >= options.sinceWallMs);
    if (start) recoveries.push({ sid, from: options.from, to: start.node, afterMs: start.wallMs - options.sinceWallMs });
  }
  return recoveries;
}

/** Waits for the emulated watchdog of `node` to reset it after `sinceWallMs`; returns the reset's wall time. */
export async function waitForReset(cluster: LocalCluster, node: string, sinceWallMs: number, timeoutMs: number): Promise<number> {
  let resetWallMs = 0;
  await pollUntil(`a watchdog reset of ${node}`, timeoutMs, () => {
    const reset = cluster.resets().find((candidate) => candidate.node === node && candidate.wallMs >= sinceWallMs);
    resetWallMs = reset?.wallMs ?? 0;
    return reset !== undefined;
  }, 100);
  return resetWallMs;
}
