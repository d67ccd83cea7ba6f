import { assert } from '../common/assert.ts';
import { CONFIG_FILE_NAMES, type ConfigChange, type ConfigFileName, type ConfigFiles, type ConfigRead, type ConfigWrite, type ConfigWriteAll, type StoreUnavailable } from '../store/store-ports.ts';
import type { SimStoreReach } from './sim-store-reach.ts';

/** Daemons and consoles watch the config, a few per node; a run that registers this many leaks them. */
const WATCHES_MAX = 10_000;

interface SimConfigWatch {
  readonly reach: SimStoreReach;
  readonly onChange: () => void;
  readonly onProblem: (message: string) => void;
  /** The write counter this watcher last reported; undefined until its first report. */
  reportedWrites: number | undefined;
  isCut: boolean;
}

/**
 * The simulated cluster's config files as text (resources.cfg, groups.cfg, rules.cfg, fence.cfg,
 * ha.cfg): the exact text written, with a version that every write changes, compared by a write as
 * the dir store compares under its lock and etcd in a txn. Watchers are told of changes between two
 * daemon iterations (`deliverWatches`, called by the simulator's step), never inside a store call.
 *
 * The simulated daemons read the parsed config the scenario made (SimCluster.config), not these
 * texts: they are the store's ConfigFiles as the dir and etcd stores have them, for what edits and
 * watches text.
 */
export class SimConfigTexts {
  private readonly files = new Map<ConfigFileName, { readonly text: string; readonly version: string }>();
  /** Grows by one with every file written; a version is the counter's value at its write. */
  private writes = 0;
  private readonly watches = new Set<SimConfigWatch>();

  read(file: ConfigFileName): ConfigRead {
    assertConfigFile(file);
    const entry = this.files.get(file);
    return entry === undefined ? { kind: 'missing' } : { kind: 'ok', text: entry.text, version: entry.version };
  }

  /** All changes or none: every expected version is compared first. */
  writeAll(changes: readonly ConfigChange[]): ConfigWriteAll {
    for (const change of changes) {
      assertConfigFile(change.file);
      if (this.files.get(change.file)?.version !== change.expectedVersion) return { kind: 'conflict' };
    }
    const versions: Partial<Record<ConfigFileName, string>> = {};
    for (const change of changes) {
      const version = `v${++this.writes}`;
      this.files.set(change.file, { text: change.text, version });
      versions[change.file] = version;
    }
    return { kind: 'written', versions };
  }

  /** A short text that changes with every write (ClusterStore.configSignature). */
  signature(): string {
    return String(this.writes);
  }

  /** Tells `onChange` of every later change (and once of the state at its start); the function returned stops it. */
  watch(reach: SimStoreReach, onChange: () => void, onProblem: (message: string) => void): () => Promise<void> {
    assert(this.watches.size < WATCHES_MAX, `${this.watches.size} config watches, limit ${WATCHES_MAX}`);
    const watch: SimConfigWatch = { reach, onChange, onProblem, reportedWrites: undefined, isCut: false };
    this.watches.add(watch);
    return async () => void this.watches.delete(watch);
  }

  /**
   * Reports to each watcher that reaches the store whether anything was written since its last report
   * (once, however many files changed); one that does not reach it is told why once per outage and
   * retried at the next step, so the changes made meanwhile are reported when it reaches the store again.
   */
  deliverWatches(): void {
    if (this.watches.size === 0) return;
    for (const watch of [...this.watches]) {
      if (!this.watches.has(watch)) continue; // closed by an earlier watcher's callback
      if (!watch.reach.isReachable()) {
        if (!watch.isCut) watch.onProblem(`Watching the simulated config from ${watch.reach.node}: ${watch.reach.whyUnreachable()}; retrying`);
        watch.isCut = true;
        continue;
      }
      watch.isCut = false;
      if (watch.reportedWrites === this.writes) continue;
      watch.reportedWrites = this.writes;
      watch.onChange();
    }
  }
}

/** The ConfigFiles port of one simulated node: the cluster's config texts through that node's reach. */
export class SimConfigFace implements ConfigFiles {
  constructor(
    private readonly texts: SimConfigTexts,
    private readonly reach: SimStoreReach,
  ) {}

  read(file: ConfigFileName): ConfigRead {
    assertConfigFile(file);
    if (!this.reach.isReachable()) return this.unavailable(`read ${file}`);
    return this.texts.read(file);
  }

  write(file: ConfigFileName, text: string, expectedVersion: string | undefined): ConfigWrite {
    const written = this.writeAll([{ file, text, expectedVersion }]);
    return written.kind === 'written' ? { kind: 'written', version: written.versions[file]! } : written;
  }

  writeAll(changes: readonly ConfigChange[]): ConfigWriteAll {
    for (const change of changes) assertConfigFile(change.file);
    if (!this.reach.isReachable()) return this.unavailable(`write ${changes.map((change) => change.file).join(', ')}`);
    return this.texts.writeAll(changes);
  }

  private unavailable(action: string): StoreUnavailable {
    return { kind: 'unavailable', message: `Cannot ${action}: ${this.reach.whyUnreachable()}` };
  }
}

function assertConfigFile(file: string): void {
  if (!(CONFIG_FILE_NAMES as readonly string[]).includes(file)) throw new Error(`Bad config file name '${file}'`);
}
