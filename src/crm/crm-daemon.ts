import { assert } from '../common/assert.ts';
import { closeWatchdog, renewLeaseAndFeed } from '../common/lease-watchdog.ts';
import { copyManagerStatus, emptyManagerStatus, isOlderStatus, type ManagerStatus, type ManagerStatusVersion } from '../common/manager-status.ts';
import type { LrmStatus } from '../common/lrm-status.ts';
import type { CrmState } from '../common/states.ts';
import type { CrmEnv, HaConfig, RoundVerdict } from '../env/env.ts';
import { canBecomeActive } from './can-become-active.ts';
import { hasResources } from './has-resources.ts';
import { Manager } from './manager.ts';

/** A master with no configured services gives up office after this many rounds. */
export const MASTER_IDLE_ROUNDS_MAX = 90;

/** The CRM's memory between rounds. */
export interface CrmLocal {
  state: CrmState;
  manager: Manager | undefined;
  emptyConfigRounds: number;
  isWatchdogOpen: boolean;
  /**
   * The HA stack is disarmed: this master holds the manager lease without a watchdog client (it fences
   * nothing), until its pass sees the disarm request gone; the next renewal then arms it again.
   */
  isWatchdogReleased: boolean;
  isStopRequested: boolean;
  /** The version of this CRM's last save as master, kept across its terms (see setState). */
  lastVersion: ManagerStatusVersion | undefined;
}

export function startCrm(env: CrmEnv): CrmLocal {
  env.emit({ ev: 'crm-state', from: 'startup', to: 'wait_for_quorum' });
  return { state: 'wait_for_quorum', manager: undefined, emptyConfigRounds: 0, isWatchdogOpen: false, isWatchdogReleased: false, isStopRequested: false, lastVersion: undefined };
}

/** Asks the CRM to exit; a master releases the manager lease first so another node takes over at once. */
export function requestCrmStop(local: CrmLocal): void {
  local.isStopRequested = true;
}

/** One CRM round: state transitions first, then the work of the state reached. */
export function crmRound(env: CrmEnv, local: CrmLocal): RoundVerdict {
  transition(env, local);
  switch (local.state) {
    case 'wait_for_quorum':
    case 'slave':
      return local.isStopRequested ? 'exit' : 'continue';
    case 'lost_manager_lock':
      assert(false, 'lost_manager_lock is left within the round that entered it');
    // falls through: unreachable, the assertion throws
    case 'master':
      return masterWork(env, local);
  }
}

function isActivatable(env: CrmEnv): boolean {
  return canBecomeActive({
    nodeName: env.nodeName,
    membership: env.membership(),
    managerStatus: env.readManagerStatus(),
    config: env.readConfig(),
    hasCrmCommands: () => env.hasCrmCommands(),
  });
}

function transition(env: CrmEnv, local: CrmLocal): void {
  switch (local.state) {
    case 'wait_for_quorum':
      if (isActivatable(env)) setState(env, local, takeOffice(env, local) ? 'master' : 'slave');
      return;
    case 'slave':
      if (!isActivatable(env)) setState(env, local, 'wait_for_quorum');
      else if (takeOffice(env, local)) setState(env, local, 'master');
      return;
    case 'master':
      if (!takeManagerLease(env, local)) {
        setState(env, local, 'lost_manager_lock');
        leaveLostLock(env, local);
      }
      return;
    case 'lost_manager_lock':
      leaveLostLock(env, local);
      return;
  }
}

/**
 * Tries for the manager lease to become master. A stack saved as fully disarmed gets a master without
 * a watchdog client ("taking over as disarmed master"): it would fence nothing anyway, and the
 * watchdog is what the disarm is to release.
 */
function takeOffice(env: CrmEnv, local: CrmLocal): boolean {
  local.isWatchdogReleased = env.readManagerStatus()?.disarm?.state === 'disarmed';
  const isTaken = takeManagerLease(env, local);
  if (isTaken && local.isWatchdogReleased) env.emit({ ev: 'log', level: 'info', msg: 'taking over as disarmed master, skipping watchdog' });
  return isTaken;
}

/** A CRM that lost the manager lease retakes it at once if it can; otherwise it stands down. */
function leaveLostLock(env: CrmEnv, local: CrmLocal): void {
  if (isActivatable(env) && takeManagerLease(env, local)) {
    setState(env, local, 'master');
    return;
  }
  closeWatchdog(env.watchdog, local);
  setState(env, local, 'wait_for_quorum');
}

function masterWork(env: CrmEnv, local: CrmLocal): RoundVerdict {
  if (local.isStopRequested) {
    env.releaseManagerLease();
    closeWatchdog(env.watchdog, local);
    return 'exit';
  }
  local.emptyConfigRounds = isIdleRound(env.readConfig(), local.manager!.status) ? local.emptyConfigRounds + 1 : 0;
  if (local.emptyConfigRounds > MASTER_IDLE_ROUNDS_MAX) {
    env.releaseManagerLease();
    closeWatchdog(env.watchdog, local);
    setState(env, local, 'wait_for_quorum');
    return 'continue';
  }
  runManagerRound(env, local);
  return 'continue';
}

function runManagerRound(env: CrmEnv, local: CrmLocal): void {
  const manager = local.manager!;
  const lrmStatuses = new Map<string, LrmStatus>();
  for (const node of manager.knownNodes()) {
    const status = env.readLrmStatus(node);
    lrmStatuses.set(node, status ?? { state: 'wait_for_agent_lock', mode: 'active', results: new Map(), timestampMs: 0 });
  }
  const round = manager.round({
    nowMs: env.nowMs(),
    leaseGeneration: env.managerLeaseGeneration(),
    fenceDelayMs: env.timing.fenceDelayMs,
    roundMs: env.timing.roundMs,
    membership: env.membership(),
    config: env.readConfig(),
    lrmStatuses,
    takeCommands: () => env.takeCrmCommands(),
    nodeVersion: (node) => env.nodeVersion(node),
  });
  let step = round.next();
  while (!step.done) {
    const takes = new Map(step.value.map((node) => [node, env.tryAgentLeaseOf(node)] as const));
    step = round.next(takes);
  }
  if (!step.value.shouldSave) return;
  for (const update of step.value.resourceUpdates) env.updateResourceConfig(update.sid, update.patch);
  if (step.value.groupMigration) env.applyGroupMigration(step.value.groupMigration);
  env.writeManagerStatus(copyManagerStatus(manager.status));
  local.lastVersion = manager.status.version;
  followDisarm(env, local, manager.status);
}

/**
 * A master counts towards going idle only in a round that starts with nothing to manage: no service
 * configured, none left in its status to clean up, and no disarm request (which only a master can end).
 */
function isIdleRound(config: HaConfig, status: ManagerStatus): boolean {
  return !hasResources(config) && status.serviceStatus.size === 0 && status.disarm === undefined;
}

/**
 * The master's watchdog follows the saved disarm state: released once the stack is fully disarmed,
 * armed again by the first lease renewal after the request is gone (a watchdog is opened or fed
 * only right after a renewal: lease-watchdog.ts).
 */
function followDisarm(env: CrmEnv, local: CrmLocal, status: ManagerStatus): void {
  if (status.disarm?.state === 'disarmed' && !local.isWatchdogReleased) {
    env.emit({ ev: 'log', level: 'info', msg: 'HA stack disarmed: releasing CRM watchdog' });
    closeWatchdog(env.watchdog, local);
    local.isWatchdogReleased = true;
  } else if (status.disarm === undefined && local.isWatchdogReleased) {
    env.emit({ ev: 'log', level: 'info', msg: 're-arming HA stack: the CRM watchdog is armed at the next lease renewal' });
    local.isWatchdogReleased = false;
  }
}

function takeManagerLease(env: CrmEnv, local: CrmLocal): boolean {
  if (local.isWatchdogReleased) return env.tryManagerLease();
  return renewLeaseAndFeed(() => env.tryManagerLease(), env.watchdog, local);
}

function setState(env: CrmEnv, local: CrmLocal, next: CrmState): void {
  if (local.state === next) return;
  env.emit({ ev: 'crm-state', from: local.state, to: next });
  local.state = next;
  if (next === 'master') {
    const saved = copyManagerStatus(env.readManagerStatus() ?? emptyManagerStatus());
    // A read that lags must not count this master's saves back (LRMs ignore older versions).
    if (local.lastVersion !== undefined && isOlderStatus(saved.version, local.lastVersion)) saved.version = local.lastVersion;
    local.manager = new Manager(saved, env.nodeName, { emit: env.emit, newUid: () => env.newUid() });
    local.emptyConfigRounds = 0;
  } else {
    local.manager = undefined;
  }
}
