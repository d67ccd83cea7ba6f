import { join } from 'node:path';
import { collectStatus, type StatusReport } from '../cli/status-report.ts';
import { locateJournals, NodeJournals, type JournalCursor } from '../env/journal-reader.ts';
import { NodeJournal } from '../env/node-journal.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { actionLine, actOnCluster } from './cluster-actions.ts';
import { EVENTS_KEPT_MAX } from './console-hub.ts';
import type { ActionResult, ConsoleAction, ConsoleEvent, ConsoleSource } from './console-source.ts';
import { consoleEventOf } from './journal-events.ts';

/**
 * The console's source for a live cluster (issue 13): status as `ha-manager status` reads it from the
 * cluster's store (dir or etcd), events from the nodes' journals, actions through the CLI's own functions.
 *
 * Journals are node-local (DESIGN.md "Node-local state"): the console reads those of its own node
 * and, in a local cluster (src/cluster/local-cluster.ts), its siblings'; on a real cluster the
 * timeline shows what this node's daemons saw (run the console on the master's node for the
 * master's decisions). Config changes are noticed by the store's own watch (a notice only: the hub
 * re-reads); status and queued requests, which change every round, by the hub's tick, which re-reads
 * every second (as it always did on NFS, where watching sees nothing).
 */
export interface ClusterSourceOptions {
  /** The cluster's store; the source closes it. */
  readonly store: ClusterStore;
  /** The console's node's state directory (the daemons' --state-dir): journals are read there; web.db records the actions. */
  readonly stateDir: string;
  /** This node's name, when its journals do not tell yet (no daemon ran). */
  readonly node: string;
  /** How often the journals are read for new rows (default 500 ms: the daemons write theirs once per round). */
  readonly journalPollMs?: number;
}

/** Rows read per node's journal at start: the timeline's backlog. */
const BACKLOG_ROWS_MAX = 2000;

interface OpenJournal {
  readonly reader: NodeJournals;
  readonly cursor: JournalCursor;
}

export class ClusterSource implements ConsoleSource {
  readonly kind = 'cluster';
  private readonly listeners = new Set<() => void>();
  private readonly journals = new Map<string, OpenJournal>();
  private readonly kept: ConsoleEvent[] = [];
  private nextEventId = 1;
  private nodes: readonly string[] = [];
  private readonly nodeHere: string;
  private readonly actionJournal: NodeJournal;
  private readonly stopWatching: () => Promise<void>;
  private readonly poll: NodeJS.Timeout;

  constructor(private readonly options: ClusterSourceOptions) {
    const here = new NodeJournals(options.stateDir);
    this.nodeHere = here.nodeName() ?? options.node;
    here.close();
    this.actionJournal = new NodeJournal(join(options.stateDir, 'web.db'));
    // A watch that fails says so to nobody: the hub's tick re-reads anyway.
    this.stopWatching = options.store.watchConfig(() => this.notify(), () => {});
    try {
      this.status(); // learns the nodes whose journals to read
    } catch {
      // A corrupt status file: the hub shows the problem; the journals are opened once status reads.
    }
    this.readJournals();
    this.poll = setInterval(() => {
      if (this.readJournals() > 0) this.notify();
    }, options.journalPollMs ?? 500);
  }

  status(): StatusReport {
    const report = collectStatus(this.options.store);
    this.nodes = report.nodes.map((node) => node.node);
    return report;
  }

  events(afterId?: number): readonly ConsoleEvent[] {
    return afterId === undefined ? [...this.kept] : this.kept.filter((event) => event.id > afterId);
  }

  act(action: ConsoleAction, actor: string): ActionResult {
    const result = actOnCluster(this.options.store, { action, actor });
    const outcome = result.kind === 'done' ? result.message : `refused: ${result.message}`;
    const detail = `${actor}: ${actionLine(action)} - ${outcome}`;
    this.actionJournal.record({ wallMs: Date.now(), monoMs: Math.round(performance.now()), kind: 'operator-action', detail });
    this.actionJournal.flush();
    this.keep([{ wallMs: Date.now(), node: this.nodeHere, sid: 'sid' in action ? action.sid : null, kind: 'action', text: `${this.nodeHere}/web: operator action: ${detail}` }]);
    this.notify();
    return result;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    await this.stopWatching();
    for (const { reader } of this.journals.values()) reader.close();
    this.journals.clear();
    this.actionJournal.close();
    this.options.store.close();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Opens the journals of nodes not open yet, reads new rows of all; returns how many events were new. */
  private readJournals(): number {
    const fresh: Array<Omit<ConsoleEvent, 'id'>> = [];
    for (const node of this.nodes) {
      const open = this.journals.get(node);
      if (open !== undefined) {
        for (const row of open.reader.readAfter(open.cursor, false)) if (row.daemon !== 'web') pushEvent(fresh, consoleEventOf(row, node));
        continue;
      }
      const opened = this.openJournal(node);
      if (opened === undefined) continue;
      const { rows, cursor } = opened.readLast({ rowsMax: BACKLOG_ROWS_MAX, isRoutineShown: false });
      this.journals.set(node, { reader: opened, cursor });
      for (const row of rows) pushEvent(fresh, consoleEventOf(row, node));
    }
    fresh.sort((a, b) => a.wallMs - b.wallMs);
    this.keep(fresh);
    return fresh.length;
  }

  private openJournal(node: string): NodeJournals | undefined {
    const place = locateJournals(this.options.stateDir, node, this.nodeHere);
    if (place.kind !== 'found') return undefined;
    const reader = new NodeJournals(place.dir);
    if (reader.daemons.includes('crm') && reader.daemons.includes('lrm')) return reader;
    reader.close(); // a daemon not started yet: opened again at a later poll, when both wrote
    return undefined;
  }

  private keep(events: ReadonlyArray<Omit<ConsoleEvent, 'id'>>): void {
    for (const event of events) this.kept.push({ id: this.nextEventId++, ...event });
    this.kept.splice(0, Math.max(0, this.kept.length - EVENTS_KEPT_MAX));
  }
}

function pushEvent(into: Array<Omit<ConsoleEvent, 'id'>>, event: Omit<ConsoleEvent, 'id'> | null): void {
  if (event !== null) into.push(event);
}
