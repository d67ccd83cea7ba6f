import { spawn } from 'node:child_process';
import type { ExecStatus } from './resource-driver.ts';

/** Output kept per stream: enough for a status word or an error line, bounded against a chatty tool. */
const OUTPUT_BYTES_MAX = 64 * 1024;
/** After SIGTERM on time-out, a command gets this long to exit before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/**
 * After the command exits, its output is awaited this long: a daemon it started in the background
 * may hold the pipes open for good (an OCF agent's start), and must neither delay nor fail the call.
 */
const OUTPUT_DRAIN_MS = 200;

export interface CommandOptions {
  readonly timeoutMs: number;
  /** The command's whole environment (PATH is looked up in it); default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * Written to the command's stdin, which is then closed (fence agents read their options there, out
   * of sight of `ps`); without it stdin is /dev/null.
   */
  readonly input?: string;
}

export interface CommandResult {
  /** `done` when the command ran and exited by itself (whatever its code). */
  readonly exec: ExecStatus;
  /** The exit code when `exec` is `done`, else -1. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** One line saying what happened, for errors. */
  readonly detail: string;
}

/**
 * Runs `argv[0]` with arguments `argv[1..]` — an argument array, never a shell — and waits at most
 * `timeoutMs`. On time-out the whole process group gets SIGTERM, then SIGKILL after a grace period
 * (taken out of the budget), so a hung tool and its children do not outlive the call. A command that
 * cannot be found or executed is `not-installed`.
 */
export function runCommand(argv: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const [command, ...args] = argv;
  if (command === undefined || command === '') throw new Error(`Bad argument argv: ${JSON.stringify(argv)}`);
  if (!(options.timeoutMs > 0)) throw new Error(`Bad argument timeoutMs: ${options.timeoutMs}`);
  const graceMs = Math.min(KILL_GRACE_MS, Math.floor(options.timeoutMs / 4));
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a time-out kills the command's children too
    });
    child.stdin.on('error', () => undefined); // EPIPE: a command that exits without reading its input
    child.stdin.end(options.input ?? '');
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    let timedOut = false;
    let settled = false;
    const finish = (exec: ExecStatus, code: number, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(termTimer);
      clearTimeout(killTimer);
      child.stdout.destroy(); // stop listening to pipes a background daemon may still hold
      child.stderr.destroy();
      resolve({ exec, code, stdout: stdout.text(), stderr: stderr.text(), detail });
    };
    const termTimer = setTimeout(() => {
      timedOut = true;
      signalGroup(child.pid, 'SIGTERM');
    }, options.timeoutMs - graceMs);
    const killTimer = setTimeout(() => {
      signalGroup(child.pid, 'SIGKILL');
      finish('timeout', -1, `${command} timed out after ${options.timeoutMs} ms`);
    }, options.timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      const isMissing = error.code === 'ENOENT' || error.code === 'EACCES';
      finish(isMissing ? 'not-installed' : 'error', -1, `Cannot run ${command}: ${error.message}`);
    });
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (timedOut) finish('timeout', -1, `${command} timed out after ${options.timeoutMs} ms`);
      else if (code === null) finish('error', -1, `${command} killed by ${signal ?? 'a signal'}`);
      else finish('done', code, [`${command} exited with ${code}`, firstLine(stderr.text() || stdout.text())].filter(Boolean).join(': '));
    };
    child.on('close', onExit);
    child.on('exit', (code, signal) => {
      const drainTimer = setTimeout(() => onExit(code, signal), OUTPUT_DRAIN_MS);
      child.on('close', () => clearTimeout(drainTimer));
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function collect(stream: NodeJS.ReadableStream) {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    if (size >= OUTPUT_BYTES_MAX) return;
    chunks.push(chunk.subarray(0, OUTPUT_BYTES_MAX - size));
    size += chunk.length;
  });
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}

export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
