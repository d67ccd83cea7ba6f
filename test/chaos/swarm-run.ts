import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cluster/swarm/cluster-swarm-cli.ts', import.meta.url));

export interface SwarmRun {
  readonly code: number | null;
  readonly lines: string[];
  readonly folder: string;
  readonly wallMs: number;
}

/** `npm run chaos:cluster -- <args>`, as a child process: its output, exit status and cluster folder. */
export function runSwarm(args: readonly string[]): Promise<SwarmRun> {
  const startMs = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => {
    child.once('close', (code) => {
      const folder = /^folder: (\S+)/m.exec(output)?.[1] ?? '';
      resolve({ code, lines: output.trimEnd().split('\n'), folder, wallMs: Date.now() - startMs });
    });
  });
}

/** What a failed assertion on a run shows: its exit, its time and its whole output. */
export function explain(run: SwarmRun): string {
  return `exit ${run.code} after ${(run.wallMs / 1000).toFixed(0)} s; output:\n${run.lines.join('\n')}`;
}
