import { assert } from '../../common/assert.ts';
import type { ServiceStatus } from '../../common/manager-status.ts';
import type { CompiledRules } from './compile-rules.ts';

/** What resource affinity makes of a migrate or relocate request (README-5.2 §6.5). */
export type MotionVerdict =
  | { readonly isRefused: true; readonly reason: string }
  | { readonly isRefused: false; readonly followers: readonly string[] };

/**
 * A move of `sid` to `target`, against its partners as the master has them when the command is
 * handled: refused when a negative partner is on the target and not moving elsewhere; else its
 * positive partners that are neither on the target nor moving there follow with the same command.
 * Partners the master does not manage are left out; both lists go by sid.
 */
export function motionWithAffinity(move: { readonly sid: string; readonly target: string }, rules: CompiledRules, managed: (sid: string) => ServiceStatus | undefined): MotionVerdict {
  const { sid, target } = move;
  for (const partner of rules.negative.get(sid) ?? []) {
    const status = managed(partner);
    if (status === undefined || status.node !== target) continue;
    if (status.target !== undefined && status.target !== target) continue; // leaving the target already
    return { isRefused: true, reason: `negative affinity with ${partner} on ${target}` };
  }
  const followers: string[] = [];
  for (const partner of rules.positive.get(sid) ?? []) {
    assert(partner !== sid, `Service ${sid} is its own positive partner`);
    const status = managed(partner);
    if (status === undefined || status.node === target || status.target === target) continue;
    followers.push(partner);
  }
  return { isRefused: false, followers };
}
