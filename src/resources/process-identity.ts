import { readFileSync } from 'node:fs';

/**
 * A process as the node run directory records it (src/watchdog/emulator/node-dir.ts): pid plus start
 * time (field 22 of /proc/<pid>/stat, clock ticks since boot), so a reused pid is never mistaken for
 * the service. Kept here rather than imported: resources do not depend on the watchdog folder.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** Undefined when the pid file held only a pid. */
  readonly startTime: string | undefined;
}

/** Start time of a live, non-zombie process, or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

/** `<pid> <start-time>\n`, the pid file line of the node run directory. */
export function pidFileLine(pid: number): string {
  const startTime = processStartTime(pid);
  if (startTime === undefined) throw new Error(`Bad argument pid: ${pid} is not a running process`);
  return `${pid} ${startTime}\n`;
}

export function parsePidFile(text: string): ProcessIdentity | undefined {
  const [pidText, startTime] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  return { pid, startTime };
}

/** Is this the recorded process, still running (not a zombie, not a reused pid)? */
export function isSameProcessAlive(identity: ProcessIdentity): boolean {
  const startTime = processStartTime(identity.pid);
  if (startTime === undefined) return false;
  return identity.startTime === undefined || identity.startTime === startTime;
}
