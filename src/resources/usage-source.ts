import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePidFile } from './process-identity.ts';

import type { UsageSource } from './resource-driver.ts';

export type { UsageSource };

/*
 * Reading a UsageSource: a cgroup (v2: `cpu.stat` usage_usec, `memory.current`), or a main process
 * and its whole tree of descendants from /proc (utime+stime, resident set).
 */

/** A cumulative reading: CPU seconds used so far, and memory in use now. */
export interface UsageReading {
  readonly cpuSeconds: number;
  readonly memBytes: number;
}

/** The cgroup v2 hierarchy of this host. */
export const CGROUP_ROOT = '/sys/fs/cgroup';
/** Linux's USER_HZ, which /proc/<pid>/stat counts CPU time in, and its page size (x86-64, arm64). */
const CLOCK_TICKS_PER_S = 100;
const PAGE_BYTES = 4096;
/** A process tree deeper than this is cut off: no service forks that deep, a loop in the readings would. */
const TREE_PROCESSES_MAX = 4096;

/** The main process of a pid file (`<pid>` or `<pid> <start time>`); undefined when absent or unreadable. */
export function processOfPidFile(file: string): UsageSource | undefined {
  try {
    const identity = parsePidFile(readFileSync(file, 'utf8'));
    return identity ? { kind: 'process', pid: identity.pid } : undefined;
  } catch {
    return undefined;
  }
}

/** A cgroup directory as a source, when it exists (the service runs). */
export function cgroupAt(dir: string): UsageSource | undefined {
  return existsSync(join(dir, 'cgroup.procs')) ? { kind: 'cgroup', dir } : undefined;
}

/** Reads a source now; undefined when it is gone (the service stopped meanwhile) or unreadable. */
export function readUsage(source: UsageSource): UsageReading | undefined {
  try {
    return source.kind === 'cgroup' ? readCgroup(source.dir) : readProcessTree(source.pid);
  } catch {
    return undefined;
  }
}

function readCgroup(dir: string): UsageReading {
  const stat = readFileSync(join(dir, 'cpu.stat'), 'utf8');
  const usage = /^usage_usec (\d+)$/m.exec(stat);
  const memory = Number(readFileSync(join(dir, 'memory.current'), 'utf8').trim());
  return { cpuSeconds: usage ? Number(usage[1]) / 1e6 : 0, memBytes: Number.isFinite(memory) ? memory : 0 };
}

function readProcessTree(root: number): UsageReading | undefined {
  const own = readProcess(root);
  if (own === undefined) return undefined;
  let cpuSeconds = own.cpuSeconds;
  let memBytes = own.memBytes;
  for (const pid of descendantsOf(root)) {
    const child = readProcess(pid);
    if (child === undefined) continue;
    cpuSeconds += child.cpuSeconds;
    memBytes += child.memBytes;
  }
  return { cpuSeconds, memBytes };
}

/** utime+stime and RSS of one process; undefined when it is gone. */
function readProcess(pid: number): UsageReading | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which may hold spaces and parentheses: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14), stime (15)
  const rssPages = Number(fields[21]); // rss (24)
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_S, memBytes: rssPages * PAGE_BYTES };
}

/** Every descendant of `root`, from the parent pids in /proc (one scan). */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0 && found.length < TREE_PROCESSES_MAX) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}
