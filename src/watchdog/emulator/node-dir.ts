/**
 * The node run directory: how the emulated watchdog device knows what "resetting the node" kills.
 *
 * Convention — every daemon and every simulated service of a node follows it:
 * - `<node-dir>/pids/<name>.pid` is written by each process that must die when the node is reset
 *   (ha-crm, ha-lrm, ha-watchdog-mux in emulated mode, each simulated service), at its start, with
 *   `registerProcess(nodeDir, name)`; its content is `<pid> <start-time>\n`, the start time being field
 *   22 of `/proc/<pid>/stat`, so a stale file whose pid was reused by another process is never killed.
 *   A process that exits cleanly removes its file (`unregisterProcess`). Names are `[A-Za-z0-9_.:@-]+`.
 * - On expiry the emulator sends SIGKILL to every listed process that is still the one registered,
 *   removes the pid files, and appends one JSON line to `<node-dir>/resets.jsonl`:
 *   `{"wallMs": n, "reason": "watchdog", "lastKeepaliveWallMs": n, "killed": ["name:pid", ...]}`.
 *   Only the emulator writes `resets.jsonl`; readers take it line by line (`readResets`).
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ResetRecord {
  readonly wallMs: number;
  readonly reason: 'watchdog';
  readonly lastKeepaliveWallMs: number;
  readonly killed: readonly string[];
}

export interface RegisteredProcess {
  readonly name: string;
  readonly pid: number;
  /** Undefined for a file that holds only a pid (then it is killed without the reuse check). */
  readonly startTime: string | undefined;
}

const NAME_PATTERN = /^[A-Za-z0-9_.:@-]+$/;

export function pidsDir(nodeDir: string): string {
  return join(nodeDir, 'pids');
}

export function resetsFile(nodeDir: string): string {
  return join(nodeDir, 'resets.jsonl');
}

/** Start time of a live process (clock ticks since boot), or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Lists `pid` (default: this process) as one to kill when the node is reset. */
export function registerProcess(nodeDir: string, name: string, pid: number = process.pid): void {
  if (!NAME_PATTERN.test(name)) throw new Error(`Process name ${JSON.stringify(name)} must match ${NAME_PATTERN}`);
  const startTime = processStartTime(pid);
  if (startTime === undefined) throw new Error(`Process ${pid} (${name}) is not running, cannot register it in ${pidsDir(nodeDir)}`);
  mkdirSync(pidsDir(nodeDir), { recursive: true });
  const path = join(pidsDir(nodeDir), `${name}.pid`);
  const temporaryPath = `${path}.tmp.${process.pid}`;
  writeFileSync(temporaryPath, `${pid} ${startTime}\n`);
  renameSync(temporaryPath, path);
}

export function unregisterProcess(nodeDir: string, name: string): void {
  rmSync(join(pidsDir(nodeDir), `${name}.pid`), { force: true });
}

export function readRegisteredProcesses(nodeDir: string): RegisteredProcess[] {
  let entries: string[];
  try {
    entries = readdirSync(pidsDir(nodeDir)).filter((entry) => entry.endsWith('.pid')).sort();
  } catch {
    return [];
  }
  const processes: RegisteredProcess[] = [];
  for (const entry of entries) {
    let text: string;
    try {
      text = readFileSync(join(pidsDir(nodeDir), entry), 'utf8');
    } catch {
      continue; // Removed by its process since the listing.
    }
    const [pidText, startTime] = text.trim().split(/\s+/);
    const pid = Number(pidText);
    // A file holding no valid pid names nothing to kill; it is left for a person to look at.
    if (Number.isInteger(pid) && pid > 1) processes.push({ name: entry.slice(0, -'.pid'.length), pid, startTime });
  }
  return processes;
}

/** SIGKILLs every registered process that is still the registered one; returns `name:pid` of each. */
export function killRegisteredProcesses(nodeDir: string): string[] {
  const killed: string[] = [];
  for (const registered of readRegisteredProcesses(nodeDir)) {
    const isSame = registered.startTime === undefined || processStartTime(registered.pid) === registered.startTime;
    if (isSame && registered.pid !== process.pid) {
      try {
        process.kill(registered.pid, 'SIGKILL');
        killed.push(`${registered.name}:${registered.pid}`);
      } catch {
        // Gone between the check and the kill: nothing left to reset.
      }
    }
    unregisterProcess(nodeDir, registered.name);
  }
  return killed;
}

export function appendReset(nodeDir: string, record: ResetRecord): void {
  mkdirSync(nodeDir, { recursive: true });
  appendFileSync(resetsFile(nodeDir), `${JSON.stringify(record)}\n`);
}

export function readResets(nodeDir: string): ResetRecord[] {
  let text: string;
  try {
    text = readFileSync(resetsFile(nodeDir), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as ResetRecord);
}
