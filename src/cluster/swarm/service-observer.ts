import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSameProcessAlive, parsePidFile } from '../../resources/process-identity.ts';
import type { LedgerEntry } from '../../resources/sim-ledger.ts';

/** `service-vm.101.pid` → `vm:101` (the file name of src/resources/sim-ledger.ts `pidFileOf`). */
const SERVICE_PID_FILE = /^service-([a-z][a-z0-9_-]*)\.(.+)\.pid$/;

interface Watched {
  readonly sid: string;
  readonly node: string;
  readonly pid: number;
  readonly startTime: string | undefined;
}

/**
 * Watches the simulated service processes of a local cluster from outside (their pid files in each
 * node's run directory, checked against /proc), and records when each one is first seen gone: an
 * upper bound of its end, independent of the ledger line it should have written.
 *
 * Why: a service records its own `stop` through the shared directory *as seen by the node whose LRM
 * started it* (its `--ledger-dir`). A service migrated from node A to node B writes through A's link;
 * when A is cut off at the moment B's LRM stops the service, the line cannot be written, the process
 * dies without it, and the ledger alone shows the run going on forever — an overlap that never was.
 * An observed end, added to the ledger as a `crash` line at the look that found the process gone,
 * ends such a run no later than it really ended; a run with its own earlier `stop` keeps that, so no
 * real overlap is hidden (an observed end is never before the real one).
 */
export class ServiceObserver {
  private readonly watched = new Map<string, Watched>();
  private readonly observedExits: LedgerEntry[] = [];

  constructor(
    private readonly nodeDirs: Readonly<Record<string, string>>,
  ) {}

  /** One look: services newly listed are watched; watched ones no longer alive are recorded. */
  poll(): void {
    for (const [node, nodeDir] of Object.entries(this.nodeDirs)) this.readPidFiles(node, join(nodeDir, 'pids'));
    for (const [key, service] of this.watched) {
      if (isSameProcessAlive(service)) continue;
      this.observedExits.push({ wallMs: Date.now(), node: service.node, sid: service.sid, event: 'crash', pid: service.pid });
      this.watched.delete(key);
    }
  }

  /** The observed ends so far, as ledger lines. */
  exits(): readonly LedgerEntry[] {
    return this.observedExits;
  }

  private readPidFiles(node: string, pidsDir: string): void {
    let names: string[];
    try {
      names = readdirSync(pidsDir);
    } catch {
      return; // no service has run on this node yet
    }
    for (const name of names) {
      const match = SERVICE_PID_FILE.exec(name);
      if (!match) continue;
      let identity;
      try {
        identity = parsePidFile(readFileSync(join(pidsDir, name), 'utf8'));
      } catch {
        continue; // removed since the listing
      }
      if (identity === undefined) continue;
      const key = `${identity.pid} ${identity.startTime}`;
      if (!this.watched.has(key) && isSameProcessAlive(identity)) this.watched.set(key, { sid: `${match[1]}:${match[2]}`, node, ...identity });
    }
  }
}
