import { formatSeconds } from './demo-story.ts';
import type { LocalCluster } from './local-cluster.ts';

/** One look at a local cluster: what its store says and which processes really run. */
export interface ClusterSnapshot {
  readonly master: string | null;
  readonly nodes: ReadonlyArray<{
    node: string;
    storage: 'ok' | 'CUT';
    /** The node's state in the master's saved status (online, unknown, fence...); '-' before there is one. */
    masterView: string;
    lrm: string;
    crm: 'running' | 'dead';
    services: string[];
    resets: number;
  }>;
  readonly services: ReadonlyArray<{ sid: string; state: string; node: string; runningOn: string[] }>;
}

export function snapshotOf(cluster: LocalCluster, sids: readonly string[]): ClusterSnapshot {
  const status = cluster.store.status;
  const manager = status.readManagerStatus();
  const managerStatus = manager.kind === 'ok' ? manager.value : undefined;
  const resets = cluster.resets();
  const runningOn = new Map(sids.map((sid) => [sid, cluster.runningOn(sid)]));
  const nodes = cluster.spec.nodes.map((node) => {
    const lrm = status.readLrmStatus(node);
    return {
      node,
      storage: cluster.isCut(node) ? ('CUT' as const) : ('ok' as const),
      masterView: managerStatus?.nodeStatus[node] ?? '-',
      lrm: lrm.kind === 'ok' ? `${lrm.value.state}/${lrm.value.mode}` : '-',
      crm: cluster.process(node, 'crm')?.isRunning ? ('running' as const) : ('dead' as const),
      services: sids.filter((sid) => runningOn.get(sid)?.includes(node)),
      resets: resets.filter((reset) => reset.node === node).length,
    };
  });
  const services = sids.map((sid) => {
    const service = managerStatus?.serviceStatus.get(sid);
    return { sid, state: service?.state ?? '-', node: service?.node ?? '-', runningOn: runningOn.get(sid) ?? [] };
  });
  return { master: managerStatus?.masterNode ?? null, nodes, services };
}

/** The live table of the demo. */
export function renderSnapshot(snapshot: ClusterSnapshot, elapsedMs: number, note: string): string {
  const nodeRows = snapshot.nodes.map((node) => [
    node.node + (node.node === snapshot.master ? ' (master)' : ''),
    node.storage,
    node.masterView,
    node.crm,
    node.lrm,
    String(node.resets),
    node.services.join(' ') || '-',
  ]);
  const serviceRows = snapshot.services.map((service) => [service.sid, service.state, service.node, service.runningOn.join(' ') || '-']);
  return [
    `--- t+${formatSeconds(elapsedMs)}  ${note}`,
    table(['node', 'storage', "master's view", 'crm', 'lrm state/mode', 'resets', 'running'], nodeRows),
    table(['service', 'state', 'node', 'running on'], serviceRows),
  ].join('\n');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].map((row) => `  ${row}`).join('\n');
}
