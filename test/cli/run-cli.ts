import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve('bin/ha-manager');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real ./bin/ha-manager as a child process. HA_MANAGER_DIR is removed unless given. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('HA_MANAGER_DIR' in env)) delete childEnv.HA_MANAGER_DIR;
  return new Promise((done) => {
    execFile(BIN, [...args], { env: childEnv, timeout: 170_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Runs `tasks` with at most `limit` of them at a time (child processes on a 2-core machine). */
export async function inBatches<T>(tasks: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export function freshDir(prefix = 'ha-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes an ha.cfg that declares `nodes` (what `ha-manager init --nodes` writes, minus the comments). */
export function declareNodes(dir: string, nodes: readonly string[]): void {
  writeFileSync(join(dir, 'ha.cfg'), nodes.map((node) => `node: ${node}\n\n`).join(''));
}

/** A fresh shared directory whose ha.cfg declares node1, node2 and node3. */
export function clusterDir(prefix = 'ha-cli-'): string {
  const dir = freshDir(prefix);
  declareNodes(dir, ['node1', 'node2', 'node3']);
  return dir;
}
