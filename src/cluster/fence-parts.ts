import type { FenceProof } from '../common/manager-status.ts';
import type { StoryEvent } from './demo-story.ts';

/**
 * A failover through a fence device, cut into its parts (docs/fencing.md "Timing with fence devices"),
 * from the story's events: each part runs from one recorded event to the next, so the parts add up to
 * the failover. Pure, for the demo's `--json` and the fencing benchmark.
 */

/** One part, in ms from the cut. */
export interface FencePart {
  readonly part: FencePartName;
  readonly fromMs: number;
  readonly toMs: number;
  readonly durationMs: number;
}

export const FENCE_PART_NAMES = ['noticed', 'decided', 'request', 'agent', 'result', 'recovery', 'start'] as const;
export type FencePartName = (typeof FENCE_PART_NAMES)[number];

/** What each part is, one line each, for the text summary and the docs. */
export const FENCE_PART_WORDS: Readonly<Record<FencePartName, string>> = {
  noticed: 'the master sees the node unknown (its LRM status unchanged for the membership silence)',
  decided: 'fence and the request to a proxy: the same round (the one-round offline delay counts from when the node was last seen)',
  request: 'the request reaches the proxy (its LRM reads the master status in its next round)',
  agent: "the agent's own time: fence_ipmilan off, then status",
  result: 'the result reaches the master (the proxy publishes it, the master reads it in its next round)',
  recovery: 'the master takes the proof and recovers the services, saved at the end of its round',
  start: "the new node's LRM reads that status in its next round and starts the service",
};

export interface FencingFigures {
  /** The proof the master took for the cut node (`agent` through the BMC), null when none was seen. */
  readonly proof: FenceProof | null;
  readonly proxy: string | null;
  /** In order; complete when every mark was seen (then the last part ends at the failover). */
  readonly parts: readonly FencePart[];
  readonly isComplete: boolean;
  /** From the cut to the BMC's power-off (every process of the node gone), -1 when not seen. */
  readonly poweredOffAfterMs: number;
  /** From the cut to the master's `on` reaching the BMC, -1 when not seen. */
  readonly poweredOnAfterMs: number;
}

/** `story` in the order things happened (orderStory), from the cut on. */
export function fencingFigures(story: readonly StoryEvent[], cut: { readonly node: string; readonly wallMs: number; readonly sids: readonly string[] }): FencingFigures {
  const after = (event: StoryEvent | undefined) => (event === undefined ? -1 : event.wallMs - cut.wallMs);
  const proofEvent = story.find((event) => event.kind === 'fence-proof' && event.target === cut.node);
  const proof = proofEvent?.kind === 'fence-proof' ? proofEvent.proof : null;
  const result = story.find((event) => event.kind === 'fence-result' && event.target === cut.node && event.action === 'off' && event.isOk);
  const proxy = result?.kind === 'fence-result' ? result.proxy : null;
  const isOffJob = (event: StoryEvent, outcome: string) => event.kind === 'fence-job' && event.target === cut.node && event.action === 'off' && event.proxy === proxy && event.outcome === outcome;
  const before = (limit: StoryEvent | undefined, isWanted: (event: StoryEvent) => boolean) =>
    limit === undefined ? undefined : story.filter((event) => event.wallMs <= limit.wallMs && isWanted(event)).at(-1);
  const done = before(result, (event) => isOffJob(event, 'succeeded'));
  const started = before(done, (event) => isOffJob(event, 'started'));
  const request = before(started, (event) => event.kind === 'fence-request' && event.target === cut.node && event.action === 'off' && event.proxy === proxy);
  const lost = story.find((event) => event.kind === 'node-view' && event.node === cut.node && event.from === 'online');
  const isMovedAway = (event: StoryEvent) => event.kind === 'service-state' && cut.sids.includes(event.sid) && event.to.node !== cut.node;
  const recovered = result === undefined ? undefined : story.find((event) => event.wallMs >= result.wallMs && isMovedAway(event));
  const starts = cut.sids.map((sid) => story.find((event) => event.kind === 'service-run' && event.event === 'start' && event.sid === sid && event.node !== cut.node));
  const lastStart = starts.includes(undefined) ? undefined : starts.reduce((latest, event) => (latest === undefined || event!.wallMs > latest.wallMs ? event : latest));
  const marks = [lost, request, started, done, result, recovered, lastStart].map(after);
  const parts: FencePart[] = [];
  let fromMs = 0;
  for (const [index, toMs] of marks.entries()) {
    if (toMs < 0) break;
    parts.push({ part: FENCE_PART_NAMES[index]!, fromMs, toMs, durationMs: toMs - fromMs });
    fromMs = toMs;
  }
  const powerOff = story.find((event) => event.kind === 'reset' && event.node === cut.node && event.cause !== undefined && event.cause !== 'watchdog');
  const powerOn = story.find((event) => event.kind === 'power-on' && event.node === cut.node);
  return { proof, proxy, parts, isComplete: parts.length === FENCE_PART_NAMES.length, poweredOffAfterMs: after(powerOff), poweredOnAfterMs: after(powerOn) };
}
