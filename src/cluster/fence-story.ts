import { assertNever } from '../common/assert.ts';
import type { FenceAction, FenceProof } from '../common/manager-status.ts';

/**
 * The fence-device part of the demo's story (demo-story.ts): the master's requests, the proxy's run of
 * the agents, the result the master reads, the proof it takes, and the BMC switching the node back on.
 * Each event carries the time its source recorded: the master's and the proxy's logs (JSON lines, one
 * `t` each: fence-log-events.ts) and the emulated BMC (demo-fencing.ts). Pure: sentences only.
 */
export type FenceStoryEvent =
  | {
      readonly kind: 'fence-request';
      readonly wallMs: number;
      readonly master: string;
      readonly target: string;
      readonly action: FenceAction;
      /** 0-based, as in the master's status; told 1-based, as fence plan shows it. */
      readonly level: number;
      readonly proxy: string;
    }
  | {
      readonly kind: 'fence-job';
      readonly wallMs: number;
      readonly proxy: string;
      readonly target: string;
      readonly action: FenceAction;
      readonly level: number;
      readonly outcome: 'started' | 'succeeded' | 'failed';
      readonly reason?: string;
    }
  | {
      readonly kind: 'fence-result';
      readonly wallMs: number;
      readonly master: string;
      readonly target: string;
      readonly action: FenceAction;
      readonly level: number;
      readonly proxy: string;
      readonly isOk: boolean;
      readonly reason?: string;
    }
  | { readonly kind: 'fence-proof'; readonly wallMs: number; readonly master: string; readonly target: string; readonly proof: FenceProof }
  | { readonly kind: 'power-on'; readonly wallMs: number; readonly node: string };

/** What each proof means, in the words of the story (docs/fencing.md's table). */
const PROOF_WORDS: Readonly<Record<FenceProof, string>> = {
  agent: 'the agent proof (its fence device reported it off)',
  kdump: 'the kdump proof (it is writing a crash dump)',
  operator: "an operator's confirmation",
  reset: 'the lease proof (its lease unchanged for fence_timeout: its watchdog has reset it)',
  free: 'its free lease (its LRM had let it go)',
};

export function fenceStorySentence(event: FenceStoryEvent): string {
  switch (event.kind) {
    case 'fence-request':
      return `the master ${event.master} asks ${event.proxy} to ${actionWords(event.action, event.target)} through fence level ${event.level + 1}`;
    case 'fence-job':
      return jobSentence(event);
    case 'fence-result':
      return `the master ${event.master} reads ${event.proxy}'s result: level ${event.level + 1} ${event.action} of ${event.target} ${event.isOk ? 'succeeded' : `failed (${event.reason ?? 'no reason given'})`}`;
    case 'fence-proof':
      return `the master ${event.master} counts ${event.target} as fenced on ${PROOF_WORDS[event.proof]}`;
    case 'power-on':
      return `the BMC of ${event.node} powers it on: its daemons start again`;
    default:
      return assertNever(event, 'fence story event');
  }
}

function jobSentence(event: Extract<FenceStoryEvent, { kind: 'fence-job' }>): string {
  const level = `level ${event.level + 1}`;
  switch (event.outcome) {
    case 'started':
      return `${event.proxy} runs the fence agents of ${level} to ${actionWords(event.action, event.target)}`;
    case 'succeeded':
      if (event.action === 'off') return `${event.proxy}: ${level} powered ${event.target} off, and its status reads off`;
      return event.action === 'on' ? `${event.proxy}: ${level} powered ${event.target} on` : `${event.proxy}: the soft fence of ${event.target} ran`;
    case 'failed':
      return `${event.proxy}: ${level} (${event.action}) of ${event.target} failed: ${event.reason ?? 'no reason given'}`;
    default:
      return assertNever(event.outcome, 'fence job outcome');
  }
}

function actionWords(action: FenceAction, target: string): string {
  switch (action) {
    case 'off':
      return `power ${target} off`;
    case 'on':
      return `power ${target} back on`;
    case 'soft':
      return `soft-fence ${target}`;
    default:
      return assertNever(action, 'fence action');
  }
}
