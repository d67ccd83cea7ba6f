import { readLedger, readResets, type LedgerEntry, type NodeReset } from './sim-ledger.ts';

/** One run of a service process: from its `start` line to the end the ledger and resets imply. */
export interface ServiceRun {
  readonly sid: string;
  readonly node: string;
  readonly pid: number;
  readonly fromMs: number;
  /** Infinity while it has no end: still running, or killed with no reset recorded. */
  readonly toMs: number;
  readonly endedBy: 'stop' | 'crash' | 'reset' | 'restart' | 'none';
}

/** A service running on two nodes at once, during [fromMs, toMs); toMs may be Infinity. */
export interface Overlap {
  readonly sid: string;
  /** The node whose run started first. */
  readonly nodeA: string;
  readonly nodeB: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The runs in a ledger (in any order; ordered here by wall clock). A run ends at the first of: its own `stop` or `crash` line (same sid, node and
 * pid), a reset of its node at or after its start (SIGKILL leaves no line), the next start of the same
 * service on the same node (the previous process is gone by then: a node runs one copy).
 */
export function serviceRuns(ledger: readonly LedgerEntry[], resets: readonly NodeReset[]): ServiceRun[] {
  const runs: ServiceRun[] = [];
  const ordered = [...ledger].sort((a, b) => a.wallMs - b.wallMs);
  ordered.forEach((entry, index) => {
    if (entry.event !== 'start') return;
    const later = ordered.slice(index + 1).filter((other) => other.sid === entry.sid && other.node === entry.node);
    const candidates: Array<{ atMs: number; by: ServiceRun['endedBy'] }> = [];
    const own = later.find((other) => other.pid === entry.pid && other.event !== 'start');
    if (own) candidates.push({ atMs: own.wallMs, by: own.event === 'stop' ? 'stop' : 'crash' });
    const reset = resets.find((candidate) => candidate.node === entry.node && candidate.wallMs >= entry.wallMs);
    if (reset) candidates.push({ atMs: reset.wallMs, by: 'reset' });
    const restart = later.find((other) => other.event === 'start' && other.pid !== entry.pid);
    if (restart) candidates.push({ atMs: restart.wallMs, by: 'restart' });
    const end = candidates.sort((a, b) => a.atMs - b.atMs)[0];
    runs.push({ sid: entry.sid, node: entry.node, pid: entry.pid, fromMs: entry.wallMs, toMs: end?.atMs ?? Infinity, endedBy: end?.by ?? 'none' });
  });
  return runs;
}

/**
 * Where a service ran on two nodes at once. Wall clocks are compared across nodes, which holds when
 * the nodes share a host (demo, end-to-end tests). Runs that touch (one stops at the instant the other starts) do not overlap.
 */
export function findOverlaps(ledger: readonly LedgerEntry[], resets: readonly NodeReset[]): Overlap[] {
  const runsBySid = new Map<string, ServiceRun[]>();
  for (const run of serviceRuns(ledger, resets)) runsBySid.set(run.sid, [...(runsBySid.get(run.sid) ?? []), run]);
  const overlaps: Overlap[] = [];
  for (const [sid, runs] of runsBySid) {
    runs.forEach((first, index) => {
      for (const second of runs.slice(index + 1)) {
        if (second.node === first.node) continue;
        const fromMs = Math.max(first.fromMs, second.fromMs);
        const toMs = Math.min(first.toMs, second.toMs);
        if (fromMs < toMs) overlaps.push({ sid, nodeA: first.node, nodeB: second.node, fromMs, toMs });
      }
    });
  }
  return overlaps.sort((a, b) => a.fromMs - b.fromMs || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
}

/** The overlaps recorded so far on this host: the ledger of `<shared>/ledger` with the resets of the node folders. */
export function readOverlaps(ledgerDir: string, nodeDirs: Readonly<Record<string, string>>): Overlap[] {
  return findOverlaps(readLedger(ledgerDir), readResets(nodeDirs));
}
