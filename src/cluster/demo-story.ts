import { assertNever } from '../common/assert.ts';
import type { Timing } from '../common/timing.ts';
import { fenceStorySentence, type FenceStoryEvent } from './fence-story.ts';

/**
 * The demo as a story: what happened, in the order it happened, in sentences. The demo notices each
 * event on a poll (a reset, a lease take, a start in the ledger, a change in the master's view), but
 * every source records when it happened, and the story is ordered by that — never by when the demo
 * looked. Pure: the demo (demo-run.ts, demo-observer.ts) gathers the events; this file only orders and
 * words them, so the tests can check both without a cluster.
 */
export type StoryEvent =
  /** `from`: what the node lost, e.g. `etcd`; default the shared storage. */
  | { readonly kind: 'cut'; readonly wallMs: number; readonly node: string; readonly sids: readonly string[]; readonly from?: string }
  | { readonly kind: 'node-view'; readonly wallMs: number; readonly master: string; readonly node: string; readonly from: string; readonly to: string }
  | {
      readonly kind: 'service-state';
      readonly wallMs: number;
      readonly sid: string;
      readonly from: { readonly state: string; readonly node: string };
      readonly to: { readonly state: string; readonly node: string };
    }
  /** The node's processes all killed: by its watchdog (`cause` 'watchdog' or none), or as `cause` says (`powered off by its BMC`). */
  | { readonly kind: 'reset'; readonly wallMs: number; readonly node: string; readonly cause?: string }
  | { readonly kind: 'lease-taken'; readonly wallMs: number; readonly leaseOf: string; readonly by: string }
  | { readonly kind: 'service-run'; readonly wallMs: number; readonly sid: string; readonly node: string; readonly event: 'start' | 'stop' | 'crash' }
  | { readonly kind: 'back'; readonly wallMs: number; readonly node: string; readonly reason: string }
  | FenceStoryEvent;

/** A duration as people read it: one decimal, in seconds (`12.4 s`). */
export function formatSeconds(durationMs: number): string {
  return `${(durationMs / 1000).toFixed(1)} s`;
}

/** The events by when they happened; events of the same instant keep the order they were noticed in. */
export function orderStory(events: readonly StoryEvent[]): StoryEvent[] {
  return events.map((event, index) => ({ event, index })).sort((a, b) => a.event.wallMs - b.event.wallMs || a.index - b.index).map(({ event }) => event);
}

/** One line of the story: the time since the demo started, then the sentence. */
export function storyLine(event: StoryEvent, startedWallMs: number): string {
  return `t+${formatSeconds(event.wallMs - startedWallMs)}  ${storySentence(event)}`;
}

export function storySentence(event: StoryEvent): string {
  switch (event.kind) {
    case 'cut':
      return `${event.node} is cut from ${event.from ?? 'the shared storage'}; it runs ${event.sids.join(', ') || 'no service'}`;
    case 'node-view':
      return `the master ${event.master} now sees ${event.node} as ${event.to} (was ${event.from})`;
    case 'service-state':
      return event.from.node === event.to.node
        ? `the master sets ${event.sid} to ${event.to.state} on ${event.to.node} (was ${event.from.state})`
        : `the master sets ${event.sid} to ${event.to.state} on ${event.to.node} (was ${event.from.state} on ${event.from.node})`;
    case 'reset':
      return `${event.node} ${resetWords(event.cause)}`;
    case 'lease-taken':
      return event.by === event.leaseOf
        ? `${event.leaseOf} takes its own agent lease again`
        : `${event.by} takes the agent lease of ${event.leaseOf}: proof that ${event.leaseOf} was reset`;
    case 'service-run':
      return `${event.sid} ${event.event === 'start' ? 'starts' : event.event === 'stop' ? 'stops' : 'is found crashed'} on ${event.node}`;
    case 'back':
      return `${event.node} is back and publishes why it was fenced: ${event.reason}`;
    case 'fence-request':
    case 'fence-job':
    case 'fence-result':
    case 'fence-proof':
    case 'power-on':
      return fenceStorySentence(event);
    default:
      return assertNever(event, 'story event');
  }
}

/** How a node's processes all ended: the emulated watchdog records `watchdog`; a BMC or a swarm says what it did. */
function resetWords(cause: string | undefined): string {
  return cause === undefined || cause === 'watchdog' ? 'is reset by its watchdog' : `is ${cause}`;
}

/**
 * Splits the events noticed so far into those old enough to tell (every source writes its record
 * within milliseconds of the event, so after `settleMs` nothing earlier can still turn up) and those
 * to keep for later. The told ones come ordered.
 */
export function takeSettled(pending: readonly StoryEvent[], nowWallMs: number, settleMs: number): { told: StoryEvent[]; pending: StoryEvent[] } {
  const isSettled = (event: StoryEvent) => event.wallMs <= nowWallMs - settleMs;
  return { told: orderStory(pending.filter(isSettled)), pending: pending.filter((event) => !isSettled(event)) };
}

/** What the master said about nodes and services in one saved manager status. */
export interface MasterView {
  readonly master: string;
  readonly wallMs: number;
  readonly nodes: Readonly<Record<string, string>>;
  readonly services: Readonly<Record<string, { readonly state: string; readonly node: string }>>;
}

/** The changes from one saved manager status to the next, dated by the later one's timestamp. */
export function masterViewChanges(previous: MasterView | undefined, next: MasterView): StoryEvent[] {
  if (previous === undefined) return [];
  const events: StoryEvent[] = [];
  for (const [node, to] of Object.entries(next.nodes)) {
    const from = previous.nodes[node] ?? '-';
    if (from !== to) events.push({ kind: 'node-view', wallMs: next.wallMs, master: next.master, node, from, to });
  }
  for (const [sid, to] of Object.entries(next.services)) {
    const from = previous.services[sid] ?? { state: '-', node: to.node };
    if (from.state !== to.state || from.node !== to.node) events.push({ kind: 'service-state', wallMs: next.wallMs, sid, from: { ...from }, to: { ...to } });
  }
  return events;
}

/** The figures of a failover, each from the cut (-1: did not happen). */
export interface FailoverFigures {
  readonly cutNode: string;
  readonly resetAfterMs: number;
  /** What ended the node's processes (the reset's cause); default its watchdog. */
  readonly resetCause?: string;
  readonly leaseTakenAfterMs: number;
  readonly recoveries: ReadonlyArray<{ readonly sid: string; readonly to: string; readonly afterMs: number }>;
}

/**
 * The failover in one sentence, its parts in the order they happened, e.g. `node3 was reset by its
 * watchdog 8.2 s after it lost the storage; its lease was taken 10.4 s after; vm:102 ran again on node1
 * 11.0 s after`.
 */
export function failoverSentence(figures: FailoverFigures): string {
  const parts: Array<{ afterMs: number; first: string; next: string }> = [];
  const reset = `${figures.cutNode} ${resetWords(figures.resetCause).replace(/^is /, 'was ')}`;
  if (figures.resetAfterMs >= 0) parts.push({ afterMs: figures.resetAfterMs, first: reset, next: reset });
  if (figures.leaseTakenAfterMs >= 0) parts.push({ afterMs: figures.leaseTakenAfterMs, first: `the lease of ${figures.cutNode} was taken`, next: 'its lease was taken' });
  for (const recovery of figures.recoveries) {
    const text = `${recovery.sid} ran again on ${recovery.to}`;
    parts.push({ afterMs: recovery.afterMs, first: text, next: text });
  }
  if (parts.length === 0) return `Nothing happened to ${figures.cutNode} after it lost the storage`;
  const ordered = parts.sort((a, b) => a.afterMs - b.afterMs);
  const clauses = ordered.map((part, index) =>
    index === 0 ? `${part.first} ${formatSeconds(part.afterMs)} after it lost the storage` : `${part.next} ${formatSeconds(part.afterMs)} after`,
  );
  return clauses.join('; ');
}

/** A timing profile in words: the one knob first, then what was derived from it. */
export function timingSentence(profile: string, timing: Timing): string {
  return (
    `timing profile ${profile}: fence_timeout ${formatSeconds(timing.leaseTimeoutMs)}` +
    ` (watchdog: client ${formatSeconds(timing.watchdogClientTimeoutMs)}, device ${formatSeconds(timing.watchdogDeviceTimeoutMs)};` +
    ` fence delay ${formatSeconds(timing.fenceDelayMs)}; round ${formatSeconds(timing.roundMs)})`
  );
}
