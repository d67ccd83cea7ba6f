import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCluster } from '../src/cluster/local-cluster.ts';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;
export const DAEMONS = ['crm', 'lrm', 'mux', 'emulator'] as const;
export type Daemon = (typeof DAEMONS)[number];

/** Resident set size in MiB of a live process. */
export function rssMib(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

/** CPU time (user + system) of a process in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/** RSS (max over nodes) and CPU share (mean over nodes, % of one core) of each daemon over `windowMs`. */
export async function idleFigures(cluster: LocalCluster, windowMs: number): Promise<Record<Daemon, { rssMib: number; cpuPercent: number }>> {
  const pids = (daemon: Daemon) => cluster.spec.nodes.map((node) => cluster.process(node, daemon)?.pid).filter((pid): pid is number => pid !== undefined);
  const before = Object.fromEntries(DAEMONS.map((daemon) => [daemon, pids(daemon).map(cpuSeconds)]));
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const figures = {} as Record<Daemon, { rssMib: number; cpuPercent: number }>;
  for (const daemon of DAEMONS) {
    const list = pids(daemon);
    const cpu = list.map((pid, index) => cpuSeconds(pid) - (before[daemon]![index] ?? 0));
    figures[daemon] = {
      rssMib: round1(Math.max(...list.map(rssMib))),
      cpuPercent: round1((100 * cpu.reduce((sum, value) => sum + value, 0)) / list.length / (windowMs / 1000)),
    };
  }
  return figures;
}

/** Starts `count` busy loops (one CPU each) and returns a function that kills them and waits. */
export function saturateCpus(count: number): () => Promise<void> {
  const loops: ChildProcess[] = [];
  for (let index = 0; index < count; index++) loops.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return async () => {
    await Promise.all(loops.map((loop) => new Promise<void>((resolve) => {
      if (loop.exitCode !== null || loop.signalCode !== null) return resolve();
      loop.once('exit', () => resolve());
      loop.kill('SIGKILL');
    })));
  };
}

/** The largest gap between two keepalives a daemon of `node` sent its mux in [fromWallMs, toWallMs], from its journal. */
export function largestKeepaliveGapMs(cluster: LocalCluster, node: string, daemon: 'crm' | 'lrm', fromWallMs: number, toWallMs: number): number {
  const db = new Database(join(cluster.localDir(node), 'state', `${daemon}.db`), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT wall_ms AS wallMs FROM blackbox WHERE kind = 'keepalive' AND wall_ms BETWEEN ? AND ? ORDER BY id").all(fromWallMs, toWallMs) as Array<{ wallMs: number }>;
    let largest = 0;
    for (let index = 1; index < rows.length; index++) largest = Math.max(largest, rows[index]!.wallMs - rows[index - 1]!.wallMs);
    return largest;
  } finally {
    db.close();
  }
}

/** The figures an emulator prints when it stops (its largest gap between device keepalives). */
export function emulatorFigures(cluster: LocalCluster, node: string): { keepaliveCount: number; largestGapMs: number; resetCount: number } | undefined {
  const lines = (cluster.process(node, 'emulator')?.stdout ?? '').split('\n').filter((line) => line.startsWith('{'));
  return lines.length > 0 ? (JSON.parse(lines.at(-1)!) as { keepaliveCount: number; largestGapMs: number; resetCount: number }) : undefined;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
