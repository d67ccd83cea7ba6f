import type { FenceJobResult } from '../common/lrm-status.ts';
import type { FenceAttempt } from '../common/manager-status.ts';
import type { LrmEnv } from '../env/env.ts';

/**
 * This node as a fence proxy (DESIGN.md "External fencing"): the master names a proxy for each fence
 * job in its status; the proxy's LRM starts each job it is named for once per uid, whatever its own
 * state (an idle node fences as well as a busy one), and publishes the results in its status until the
 * master's status no longer holds the uid (the master has taken the result and moved on).
 */
export interface FenceProxyLocal {
  /** Jobs handed to the environment and not finished yet, by uid. */
  readonly running: Set<string>;
  /** Finished jobs still in the master's status, by uid. */
  readonly results: Map<string, FenceJobResult>;
}

export function newFenceProxyLocal(): FenceProxyLocal {
  return { running: new Set(), results: new Map() };
}

/** One round: collects finished jobs, forgets those the master let go, starts those newly assigned here. */
export function runFenceJobs(env: LrmEnv, proxy: FenceProxyLocal, fencing: Readonly<Record<string, FenceAttempt>> | undefined): void {
  for (const result of env.takeFinishedFences()) {
    proxy.running.delete(result.uid);
    proxy.results.set(result.uid, result);
  }
  const assigned = new Map<string, { target: string; attempt: FenceAttempt }>();
  for (const [target, attempt] of Object.entries(fencing ?? {})) {
    if (attempt.proxy === env.nodeName && attempt.uid !== '') assigned.set(attempt.uid, { target, attempt });
  }
  for (const uid of proxy.results.keys()) if (!assigned.has(uid)) proxy.results.delete(uid);
  for (const [uid, { target, attempt }] of assigned) {
    if (proxy.running.has(uid) || proxy.results.has(uid)) continue;
    proxy.running.add(uid);
    env.startFence({ uid, target, action: attempt.action, level: attempt.level });
  }
}
