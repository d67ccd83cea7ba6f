import type { ChildProcess } from 'node:child_process';

/** The first line a daemon says on stderr, and whether it was still running then (it is killed after). */
export async function firstLineOf(child: ChildProcess): Promise<{ stderr: string; isWaiting: boolean }> {
  let stderr = '';
  const said = new Promise<void>((resolve) => child.stderr!.on('data', (data) => {
    stderr += data.toString();
    if (stderr.includes('\n')) resolve();
  }));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const bound = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await Promise.race([said, exited]);
  const isWaiting = child.exitCode === null;
  child.kill('SIGKILL');
  await exited;
  clearTimeout(bound);
  return { stderr, isWaiting };
}
