import type { StatusStore } from '../store/status-store.ts';
import { masterViewChanges, orderStory, takeSettled, type MasterView, type StoryEvent } from './demo-story.ts';
import type { LocalCluster } from './local-cluster.ts';

/** A story longer than this is a demo gone wrong (a node flapping): keep the output readable. */
const STORY_EVENTS_MAX = 500;

/**
 * Gathers the demo's story from a local cluster, each event with the time its source recorded: the
 * master's saved status (its view of nodes and services), the emulated watchdogs' resets, the agent
 * leases' holder files and the services' ledger. Call `observe()` on every poll; `takeTold()` gives the
 * events up to a time, in the order they happened.
 */
export class DemoObserver {
  private readonly status: StatusStore;
  private readonly seenKeys = new Set<string>();
  private pending: StoryEvent[] = [];
  private readonly told: StoryEvent[] = [];
  private lastView: MasterView | undefined;
  private readonly sources: Array<() => ReadonlyArray<{ readonly key: string; readonly event: StoryEvent }>> = [];
  /** Nodes whose states in the master's view another source tells (from the master's log). */
  private readonly nodeViewsElsewhere = new Set<string>();

  constructor(
    private readonly cluster: LocalCluster,
    private readonly sids: readonly string[],
    private readonly sinceWallMs: number,
  ) {
    this.status = cluster.store.status;
  }

  /** An event the demo itself caused or saw (the cut, a node's return). */
  add(event: StoryEvent, key = `${event.kind}:${event.wallMs}`): void {
    if (this.seenKeys.has(key) || event.wallMs < this.sinceWallMs) return;
    if (this.seenKeys.size >= STORY_EVENTS_MAX) throw new Error(`The demo's story has more than ${STORY_EVENTS_MAX} events: a node keeps changing state`);
    this.seenKeys.add(key);
    this.pending.push(event);
  }

  /**
   * Another source of events, read on every observe() (the fence logs, the BMCs' power-ons); each key
   * once. `nodeViewsOf`: the source tells that node's states in the master's view, so the saved
   * statuses no longer do (the same change twice, at two times).
   */
  addSource(source: () => ReadonlyArray<{ readonly key: string; readonly event: StoryEvent }>, options: { readonly nodeViewsOf?: string } = {}): void {
    this.sources.push(source);
    if (options.nodeViewsOf !== undefined) this.nodeViewsElsewhere.add(options.nodeViewsOf);
  }

  observe(): void {
    this.observeMasterView();
    for (const reset of this.cluster.resets()) this.add({ kind: 'reset', wallMs: reset.wallMs, node: reset.node, cause: reset.reason }, `reset:${reset.node}:${reset.wallMs}`);
    for (const source of this.sources) for (const { key, event } of source()) this.add(event, key);
    const leases = this.cluster.store.readLeases();
    // An unavailable store (a member down, say) tells nothing new this time; the next look does.
    for (const [name, lease] of leases instanceof Map ? leases : []) {
      if (!name.startsWith('agent.') || lease.holder === undefined) continue;
      const event: StoryEvent = { kind: 'lease-taken', wallMs: lease.holder.takenWallMs, leaseOf: name.slice('agent.'.length), by: lease.holder.node };
      this.add(event, `lease:${name}:${lease.generation}`);
    }
    for (const entry of this.cluster.ledger()) {
      if (!this.sids.includes(entry.sid)) continue;
      this.add({ kind: 'service-run', wallMs: entry.wallMs, sid: entry.sid, node: entry.node, event: entry.event }, `ledger:${entry.sid}:${entry.node}:${entry.pid}:${entry.event}`);
    }
  }

  /**
   * The events noticed that happened up to `uptoWallMs`, in order, and not told before. The caller
   * passes a time of an earlier look, so that nothing from before it can still turn up: every source
   * writes its record within milliseconds of the event (the emulator its reset, a service its ledger
   * line, a taker the lease's holder file, the master its status with the time of the save).
   */
  takeTold(uptoWallMs: number): StoryEvent[] {
    const split = takeSettled(this.pending, uptoWallMs, 0);
    this.pending = split.pending;
    this.told.push(...split.told);
    return split.told;
  }

  /** Every event told so far, in the order they happened. */
  story(): StoryEvent[] {
    return orderStory(this.told);
  }

  /** Every event noticed so far, told or not, in the order they happened. */
  noticed(): StoryEvent[] {
    return orderStory([...this.told, ...this.pending]);
  }

  private observeMasterView(): void {
    const read = this.status.readManagerStatus();
    if (read.kind !== 'ok' || read.value.masterNode === undefined || read.value.timestampMs === undefined) return;
    const manager = read.value;
    const services: Record<string, { state: string; node: string }> = {};
    for (const sid of this.sids) {
      const service = manager.serviceStatus.get(sid);
      if (service) services[sid] = { state: service.state, node: service.node };
    }
    const view: MasterView = { master: read.value.masterNode, wallMs: read.value.timestampMs, nodes: { ...manager.nodeStatus }, services };
    if (this.lastView !== undefined && view.wallMs <= this.lastView.wallMs) return; // the same save, or an older one read late
    for (const event of masterViewChanges(this.lastView, view)) {
      if (event.kind === 'node-view' && this.nodeViewsElsewhere.has(event.node)) continue;
      this.add(event, `view:${event.wallMs}:${event.kind}:${event.kind === 'node-view' ? event.node : event.kind === 'service-state' ? event.sid : ''}`);
    }
    this.lastView = view;
  }
}
