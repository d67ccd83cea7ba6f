/**
 * What a fence level does, decided without running anything (src/fence/fence-runner.ts runs it):
 * which agent calls, in which order, and what each result means. Pacemaker's rules for a level of
 * several devices: every device must succeed; `off` turns every device off one after the other, then
 * checks each with `status` (power must read off); `on` turns every device on; `reboot` is off on all,
 * checked, then on on all — never off and on per device, or two PDUs feeding one node would each be
 * cycled while the other still powers it.
 *
 * A device whose agent has no `status` action (fence_kdump: its `off` waits for the crashed node's
 * kdump message and powers nothing) is not checked: its own success is the proof. A device whose
 * agent has no `on` action is left out of `on`: a node that wrote its dump reboots by itself.
 */
import { assert } from '../common/assert.ts';
import { AGENT_EXIT, type AgentCallResult } from './agent-result.ts';
import type { FenceLevel } from './fence-config.ts';

export type LevelAction = 'off' | 'on' | 'reboot';

/** What an agent can do, from its `metadata`. */
export interface AgentAbilities {
  readonly hasStatus: boolean;
  readonly hasOn: boolean;
}

/** Assumed for an agent whose metadata cannot be read: check everything (an unneeded check fails safe). */
export const FULL_ABILITIES: AgentAbilities = { hasStatus: true, hasOn: true };

export interface PlannedCall {
  /** Index into the level's steps. */
  readonly stepIndex: number;
  readonly action: 'off' | 'on' | 'status';
}

/** The agent calls that carry out `action` on `level`, in order; the run stops at the first that fails. */
export function levelCalls(level: FenceLevel, action: LevelAction, abilitiesOf: (agent: string) => AgentAbilities): PlannedCall[] {
  assert(level.steps.length > 0, `Fence level '${level.name}' has no device: fenceLevelsFor builds levels from devices`);
  const indexes = level.steps.map((_, stepIndex) => stepIndex);
  const offCalls = (): PlannedCall[] => [
    ...indexes.map((stepIndex): PlannedCall => ({ stepIndex, action: 'off' })),
    ...indexes.filter((stepIndex) => abilitiesOf(level.steps[stepIndex]!.agent).hasStatus).map((stepIndex): PlannedCall => ({ stepIndex, action: 'status' })),
  ];
  const onCalls = (): PlannedCall[] => indexes.filter((stepIndex) => abilitiesOf(level.steps[stepIndex]!.agent).hasOn).map((stepIndex): PlannedCall => ({ stepIndex, action: 'on' }));
  switch (action) {
    case 'off':
      return offCalls();
    case 'on':
      return onCalls();
    case 'reboot':
      return [...offCalls(), ...onCalls()];
  }
}

export type CallVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * What one result means for the level: `off`/`on` succeed on exit 0; a `status` after `off` succeeds
 * only on exit 2 (power off) — exit 0 says the power is still on, which makes the whole level fail.
 */
export function judgeCall(call: PlannedCall, result: AgentCallResult): CallVerdict {
  assert(result.action === call.action, `Judging a ${result.action} result as the planned ${call.action}`);
  const isDone = result.exec === 'done';
  if (call.action === 'status') {
    if (isDone && result.exit === AGENT_EXIT.statusOff) return { ok: true };
    if (isDone && result.exit === AGENT_EXIT.success) return { ok: false, reason: `power still on after off (${result.reason})` };
    return { ok: false, reason: `status check failed: ${result.reason}` };
  }
  if (isDone && result.exit === AGENT_EXIT.success) return { ok: true };
  return { ok: false, reason: result.reason };
}

/**
 * The abilities an agent declares in its metadata XML (`<action name="status"/>`). Metadata with no
 * action list at all is not trusted to mean "no status": FULL_ABILITIES.
 */
export function abilitiesFromMetadata(xml: string): AgentAbilities {
  const actions = new Set([...xml.matchAll(/<action\s+name="([^"]+)"/g)].map((match) => match[1]!));
  if (actions.size === 0) return FULL_ABILITIES;
  return { hasStatus: actions.has('status'), hasOn: actions.has('on') };
}

/** What a `status` answered, for `fence-test`. */
export function powerOf(result: AgentCallResult): 'on' | 'off' | 'failed' {
  if (result.exec !== 'done') return 'failed';
  if (result.exit === AGENT_EXIT.success) return 'on';
  if (result.exit === AGENT_EXIT.statusOff) return 'off';
  return 'failed';
}
