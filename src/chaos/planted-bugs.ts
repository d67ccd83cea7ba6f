/**
 * Known bugs planted in the simulated adapters (never in src/crm or src/lrm), to show that the
 * checker can fail: tests assert that each is caught within a stated number of seeds.
 */
import type { FenceJobResult } from '../common/lrm-status.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import type { AgentLeaseTake, CrmEnv, LrmEnv } from '../env/env.ts';
import type { SimCrmEnv, SimLrmEnv } from '../sim/sim-env.ts';
import type { SimChaosHooks } from '../sim/simulator.ts';

export const PLANTED_BUGS = [
  /** The master's fence answers yes without taking the node's agent lease. */
  'recover-without-fence',
  /** The LRM's watchdog client is fed on every iteration, whether or not the lease was renewed. */
  'feed-without-renewal',
  /** A CRM whose manager lease take is refused acts as master anyway. */
  'second-master',
  /** A failed agent lease renewal is answered from the last lease record read (a stale read). */
  'forget-stale-read',
  /**
   * The master takes a lost node's agent lease for real, but counts a free one (never taken by a node
   * whose LRM it has never seen, or released) as a reset: it recovers services that may run there.
   */
  'recover-on-free-lease',
  /**
   * The manager status is read without its disarm request (a store that drops a field it does not
   * know): a CRM that takes office starts armed while the operator's disarm stands.
   */
  'forget-disarm',
  /**
   * A fence proxy reports a failed `off` as done (an agent's exit code misread): the master takes the
   * agent proof for a node that still runs, and recovers its services.
   */
  'recover-after-failed-fence',
] as const;
export type PlantedBug = (typeof PLANTED_BUGS)[number];

/** Hooks that replace the simulated environments with ones carrying the bug. */
export function plantedBugHooks(bug: PlantedBug): Pick<SimChaosHooks, 'wrapCrmEnv' | 'wrapLrmEnv'> {
  switch (bug) {
    case 'recover-without-fence':
      return { wrapCrmEnv: (env) => override<CrmEnv>(env, { tryAgentLeaseOf: () => 'reset' }) };
    case 'recover-on-free-lease':
      return { wrapCrmEnv: (env) => override<CrmEnv>(env, { tryAgentLeaseOf: (node) => freeAsReset(env.tryAgentLeaseOf(node)) }) };
    case 'second-master':
      return { wrapCrmEnv: (env) => override<CrmEnv>(env, { tryManagerLease: () => secondMasterLease(env) }) };
    case 'feed-without-renewal':
      return { wrapLrmEnv: (env) => override<LrmEnv>(env, { readManagerStatus: () => feedThenRead(env) }) };
    case 'forget-stale-read':
      return { wrapLrmEnv: (env) => forgetStaleRead(env) };
    case 'recover-after-failed-fence':
      return { wrapLrmEnv: (env) => override<LrmEnv>(env, { takeFinishedFences: () => env.takeFinishedFences().map(failedOffAsDone) }) };
    case 'forget-disarm':
      return { wrapCrmEnv: (env) => override<CrmEnv>(env, { readManagerStatus: () => withoutDisarm(env.readManagerStatus()) }) };
  }
}

function failedOffAsDone(result: FenceJobResult): FenceJobResult {
  if (result.action !== 'off' || result.ok) return result;
  const { reason: _reason, ...rest } = result;
  return { ...rest, ok: true };
}

function withoutDisarm(status: ManagerStatus | undefined): ManagerStatus | undefined {
  if (status?.disarm === undefined) return status;
  const { disarm: _dropped, ...rest } = status;
  return rest;
}

function freeAsReset(take: AgentLeaseTake): AgentLeaseTake {
  return take === 'free' ? 'reset' : take;
}

/** An object that behaves as `env` but for the given methods. */
function override<T extends object>(env: T, methods: Partial<T>): T {
  return Object.assign(Object.create(env) as T, methods);
}

function secondMasterLease(env: SimCrmEnv): boolean {
  const isTaken = env.tryManagerLease();
  const membership = env.membership();
  return isTaken || (membership.isQuorate && membership.isMember(env.nodeName) && env.canReachStore());
}

/** The LRM reads the manager status at the start of every iteration: the bug feeds there. */
function feedThenRead(env: SimLrmEnv) {
  if (env.isWatchdogArmed()) env.watchdog.feed();
  return env.readManagerStatus();
}

function forgetStaleRead(env: SimLrmEnv): LrmEnv {
  let lastAnswer = false;
  return override<LrmEnv>(env, {
    tryAgentLease: () => {
      const isRenewed = env.tryAgentLease();
      // The bug: when the store does not answer, trust the record read last, which names this node.
      lastAnswer = isRenewed || lastAnswer;
      return lastAnswer;
    },
    releaseAgentLease: () => {
      lastAnswer = false;
      return env.releaseAgentLease();
    },
  });
}
