import { readdirSync, readFileSync } from 'node:fs';
import { processStartTime, type ProcessIdentity } from '../resources/process-identity.ts';

/**
 * Processes of this host found by their command line, through /proc. The local cluster names a node's
 * folder in the arguments of every process that belongs to the node: the daemons and the mux
 * (`--node-dir`), the emulated watchdog (`--node-dir`), each simulated service (`--pid-file` inside the
 * folder). So "every process of node1" is every process with an argument equal to, or inside, node1's
 * folder — including a service whose LRM spawned it a moment before a reset and which has not yet
 * written its pid file (the emulated watchdog kills only the listed ones). And "anything left of the
 * cluster" is every process with an argument inside the cluster's root.
 */
export interface HostProcess extends ProcessIdentity {
  readonly startTime: string;
  readonly args: readonly string[];
}

/** A /proc listing of this size is not a test machine's: stop there rather than walk on. */
const PROC_ENTRIES_MAX = 1_000_000;

/** Live processes (not zombies, not this one) with an argument equal to `path` or inside it. */
export function processesUnder(path: string): HostProcess[] {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const exact = prefix.slice(0, -1);
  return hostProcesses().filter((candidate) => candidate.args.some((arg) => arg === exact || arg.startsWith(prefix) || arg.includes(`=${prefix}`)));
}

function hostProcesses(): HostProcess[] {
  const entries = readdirSync('/proc');
  if (entries.length > PROC_ENTRIES_MAX) throw new Error(`/proc lists ${entries.length} entries (limit ${PROC_ENTRIES_MAX})`);
  const found: HostProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // exited since the listing
    }
    const startTime = processStartTime(pid);
    if (cmdline === '' || startTime === undefined) continue; // a kernel thread or a zombie
    found.push({ pid, startTime, args: cmdline.split('\0').filter((arg) => arg !== '') });
  }
  return found;
}

/**
 * Sends `signal` to the process if it is still the one found (same pid and start time); false when
 * it is gone. A stopped process still takes SIGKILL and SIGCONT.
 */
export function signalProcess(identity: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (identity.startTime !== undefined && processStartTime(identity.pid) !== identity.startTime) return false;
  try {
    process.kill(identity.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The process's state letter from /proc (R, S, T for stopped, ...), or undefined when it is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** A short name for messages: the program's file name and pid, e.g. `ha-lrm:1234` for `node …/bin/ha-lrm`. */
export function processLabel(found: HostProcess): string {
  const program = found.args.find((arg, index) => index > 0 && /\/bin\/[^/]+$/.test(arg)) ?? found.args[0] ?? '?';
  return `${program.slice(program.lastIndexOf('/') + 1)}:${found.pid}`;
}
