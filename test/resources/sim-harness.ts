import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePidFile } from '../../src/resources/process-identity.ts';
import { SimDriver, type SimDriverOptions } from '../../src/resources/sim-driver.ts';

/** A service program that never says `ready` (for start time-outs); `--` keeps our arguments from node. */
export const NEVER_READY = [process.execPath, '-e', 'setInterval(() => {}, 1e6)', '--'];

/** A shared directory and node folders on one host, with sim drivers per node, and cleanup that kills every service process. */
export function simCluster(nodes: readonly string[] = ['node1', 'node2']) {
  const root = mkdtempSync(join(tmpdir(), 'ha-sim-'));
  const ledgerDir = join(root, 'shared', 'ledger');
  const nodeDirOf = (node: string) => join(root, 'nodes', node);
  for (const node of nodes) mkdirSync(nodeDirOf(node), { recursive: true });
  const driver = (node: string, extra: Partial<SimDriverOptions> = {}) => new SimDriver({ node, ledgerDir, nodeDirOf, ...extra });
  return {
    root,
    ledgerDir,
    nodeDirOf,
    driver,
    nodeDirs: Object.fromEntries(nodes.map((node) => [node, nodeDirOf(node)])),
    /** Pids of the service processes registered on a node. */
    pidsOn(node: string): number[] {
      const dir = join(nodeDirOf(node), 'pids');
      if (!existsSync(dir)) return [];
      return readdirSync(dir).flatMap((name) => {
        const identity = parsePidFile(readFileSync(join(dir, name), 'utf8'));
        return identity ? [identity.pid] : [];
      });
    },
    /** SIGKILLs every registered service process and removes the folders. */
    cleanup(extraPids: readonly number[] = []): void {
      for (const pid of [...nodes.flatMap((node) => this.pidsOn(node)), ...extraPids]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
