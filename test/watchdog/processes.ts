import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MUX_BIN = fileURLToPath(new URL('../../bin/ha-watchdog-mux', import.meta.url));
export const EMULATOR_BIN = fileURLToPath(new URL('../../bin/ha-watchdog-emulator', import.meta.url));

/** A child process whose output is collected; every one started is killed by `killAll`. */
export interface Started {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Started[] = [];

export function start(command: string, args: string[]): Started {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const handle: Started = { child, stdout: '', stderr: '', exited };
  child.stdout!.on('data', (data) => (handle.stdout += data.toString()));
  child.stderr!.on('data', (data) => (handle.stderr += data.toString()));
  started.push(handle);
  return handle;
}

/** SIGKILLs every process started here that is still running and waits for them. */
export async function killAll(): Promise<void> {
  const running = started.splice(0).filter((handle) => handle.child.exitCode === null && handle.child.signalCode === null);
  for (const handle of running) handle.child.kill('SIGKILL');
  await Promise.all(running.map((handle) => handle.exited));
}

/** Polls `predicate` every 20 ms for at most `limitMs` (real time). */
export async function until(predicate: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`Timed out after ${limitMs} ms waiting for ${what}`);
}

/** The exit of `handle`, failing after `limitMs`. */
export async function exitOf(handle: Started, limitMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Process did not exit within ${limitMs} ms; stderr: ${handle.stderr}`)), limitMs);
  });
  try {
    return await Promise.race([handle.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function sleepMs(durationMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, durationMs));
}
