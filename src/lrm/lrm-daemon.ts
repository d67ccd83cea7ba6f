import { assert } from '../common/assert.ts';
import { compareNames } from '../common/compare-names.ts';
import { ServiceTable } from '../common/service-table.ts';
import type { LrmState } from '../common/states.ts';
import { isOlderStatus } from '../common/manager-status.ts';
import { releaseThenClose, renewLeaseAndFeed } from '../common/lease-watchdog.ts';
import type { LrmEnv, RoundVerdict } from '../env/env.ts';
import type { LrmLocal, ShutdownKind } from './lrm-local.ts';
import { modeForShutdown } from './shutdown-mode.ts';
import { drainWorkers, pruneResults, queueRequest, runWorkers } from './lrm-workers.ts';
import { activeServiceCount, hasFenceRequest, incomingServicesOf, servicesOf } from './service-counts.ts';
import { newFenceProxyLocal, runFenceJobs } from './fence-proxy.ts';

/** An active LRM with no service assigned for this many rounds releases its lease and goes idle. */
export const LRM_IDLE_ROUNDS_MAX = 60;
/** An LRM asked to restart while it lost its lease gives up waiting for its services after this long. */
export const LOST_LOCK_RESTART_GIVE_UP_MS = 90_000;

/** The service status before the first successful read of the manager status. */
const NOTHING_READ: LrmLocal['services'] = ServiceTable.empty();

/**
 * A new LRM process. The watchdog registration its predecessor left armed (handed over on a restart,
 * or left behind by a crash) is its own from the start, and with it the agent lease: see
 * `adoptClaimedLease`.
 */
export function startLrm(env: LrmEnv): LrmLocal {
  env.emit({ ev: 'lrm-state', from: 'startup', to: 'wait_for_agent_lock' });
  const claimed = env.watchdog.claim();
  const local: LrmLocal = {
    state: 'wait_for_agent_lock',
    mode: 'active',
    stateChangedMs: env.nowMs(),
    shutdown: undefined,
    shutdownStopErrors: 0,
    hasPublishedStatus: false,
    isWatchdogOpen: claimed !== undefined,
    pendingAdoption: claimed && { keepaliveAgeMs: claimed.keepaliveAgeMs, claimedAtMs: env.nowMs() },
    idleRounds: 0,
    services: NOTHING_READ,
    // A stale read after a restart must not undo what the previous LRM of this node took in (chaos seed 2121).
    statusVersion: env.keptStatusVersion(),
    ownServices: [],
    incomingServices: [],
    isDisarmRequested: false,
    nodeState: undefined,
    isMaintenanceRequested: false,
    results: new Map(),
    isResultsPublished: false,
    restartTries: new Map(),
    workers: new Map(),
    queuedAfterRunning: new Map(),
    runningWorkers: 0,
    fencing: undefined,
    fenceProxy: newFenceProxyLocal(),
  };
  adoptClaimedLease(env, local);
  return local;
}

/**
 * The registration claimed at start was armed, and its last keepalive came right after a lease
 * renewal: a keepalive is sent only after a renewal that began at most `renewalMaxMs` earlier (a later
 * one counts as failed). So the agent lease was this node's, renewed at most keepalive age +
 * `renewalMaxMs` ago, plus the time since the claim; adopting it with that bound keeps the services that
 * run on through the restart covered by lease and watchdog together. Retried while the store does not
 * answer; given up once the bound passes the lease timeout (the registration then runs out, and the node
 * is reset unless this LRM takes the lease anew in time).
 */
function adoptClaimedLease(env: LrmEnv, local: LrmLocal): void {
  const pending = local.pendingAdoption;
  if (pending === undefined) return;
  const renewedAgoMsMax = pending.keepaliveAgeMs + (env.nowMs() - pending.claimedAtMs) + env.timing.renewalMaxMs;
  assert(renewedAgoMsMax >= 0, `Adoption bound ${renewedAgoMsMax} ms is negative`);
  if (renewedAgoMsMax > env.timing.leaseTimeoutMs || env.adoptAgentLease(renewedAgoMsMax)) local.pendingAdoption = undefined;
}

/**
 * A request to exit: node shutdown or reboot (the cluster's shutdown policy decides the mode), or an
 * LRM restart. Local stops are queued for a shutdown or reboot unless services are to be migrated.
 */
export function requestLrmShutdown(env: LrmEnv, local: LrmLocal, kind: ShutdownKind): void {
  if (local.shutdown) return;
  const policy = env.readConfig().settings.shutdownPolicy;
  const mode = local.mode === 'maintenance' ? 'maintenance' : modeForShutdown(kind, policy);
  if (kind !== 'restart') env.emit({ ev: 'lrm-shutdown', policy });
  if (kind !== 'restart' && mode !== 'maintenance') {
    for (const [sid] of [...local.ownServices].sort(([a], [b]) => compareNames(a, b))) {
      queueRequest(local, { sid, uid: undefined, request: 'request_stop' });
    }
  }
  local.shutdown = { kind, atMs: env.nowMs() };
  setMode(env, local, mode, `${kind} request`);
  publishStatus(env, local);
}

/** One LRM round: read the manager status, state transitions, then the work of the state reached. */
export function lrmRound(env: LrmEnv, local: LrmLocal): RoundVerdict {
  if (!local.hasPublishedStatus && !publishStatus(env, local)) return local.shutdown ? 'exit' : 'continue';
  readManagerStatus(env, local);
  runFenceJobs(env, local.fenceProxy, local.fencing);
  transition(env, local);
  switch (local.state) {
    case 'wait_for_agent_lock':
      if (local.shutdown) return 'exit';
      publishStatus(env, local);
      return 'continue';
    case 'active':
      return activeWork(env, local);
    case 'lost_agent_lock':
      return lostLockWork(env, local);
    case 'maintenance':
      return maintenanceWork(env, local);
  }
}

/**
 * Takes in the manager status as last saved, unless it is older than one already taken in: a stale
 * read must not undo what the master decided since (chaos seed 1383: a source LRM that read the status
 * of before its migration started the service again while it ran on the target).
 */
function readManagerStatus(env: LrmEnv, local: LrmLocal): void {
  const status = env.readManagerStatus();
  if (!status || isOlderStatus(status.version, local.statusVersion)) return;
  const { version } = status;
  if (version !== undefined && (local.statusVersion === undefined || isOlderStatus(local.statusVersion, version))) env.keepStatusVersion(version);
  local.statusVersion = status.version ?? local.statusVersion;
  if (local.services !== status.serviceStatus) {
    local.services = status.serviceStatus;
    local.ownServices = servicesOf(env.nodeName, status.serviceStatus);
    local.incomingServices = incomingServicesOf(env.nodeName, status.serviceStatus);
  }
  local.nodeState = status.nodeStatus[env.nodeName];
  local.fencing = status.fencing;
  local.isMaintenanceRequested = status.nodeRequest[env.nodeName]?.maintenance === true;
  local.isDisarmRequested = status.disarm !== undefined;
  if (local.shutdown) return;
  // A node in manual maintenance stays in maintenance through a disarm: its services are still leaving.
  if (local.isMaintenanceRequested) setMode(env, local, 'maintenance', 'maintenance requested');
  else if (local.isDisarmRequested) setMode(env, local, 'disarm', 'HA stack disarm requested');
  else if (local.mode === 'maintenance') setMode(env, local, 'active', 'maintenance request cleared');
  else setMode(env, local, 'active', 'HA stack armed');
}

/**
 * Services that need this node protected by its lease and watchdog: its own active ones and those
 * moving towards it (a move may land any moment; an idle target takes its lease as soon as the master
 * asks for the move, not when the service arrives).
 */
function activeCount(local: LrmLocal): number {
  return activeServiceCount(local.ownServices) + activeServiceCount(local.incomingServices);
}

function transition(env: LrmEnv, local: LrmLocal): void {
  const isFenceRequested = hasFenceRequest(local.nodeState, local.ownServices);
  const membership = env.membership();
  const isQuorate = membership.isQuorate && membership.isMember(env.nodeName);
  switch (local.state) {
    case 'wait_for_agent_lock':
      if (local.isWatchdogOpen && local.services !== NOTHING_READ && (local.ownServices.length === 0 || local.mode === 'disarm')) leaveClaimed(env, local);
      adoptClaimedLease(env, local);
      // Disarmed: no lease however many services are active, until the request is gone.
      if (!isFenceRequested && local.mode !== 'disarm' && needsAgentLease(local) && isQuorate && takeAgentLease(env, local)) {
        setState(env, local, 'active');
      }
      return;
    case 'lost_agent_lock':
      if (!isFenceRequested && isQuorate && takeAgentLease(env, local)) setState(env, local, 'active');
      return;
    case 'active':
      if (isFenceRequested || !takeAgentLease(env, local)) setState(env, local, 'lost_agent_lock');
      else if (local.mode === 'maintenance') setState(env, local, 'maintenance');
      else if (local.mode === 'disarm') leaveForDisarm(env, local, 'HA disarm requested: releasing agent lock and watchdog');
      else countIdleRound(env, local);
      return;
    case 'maintenance':
      if (isFenceRequested) setState(env, local, 'lost_agent_lock');
      else if (local.mode === 'disarm' && activeCount(local) === 0) leaveForDisarm(env, local, 'HA disarm requested during maintenance: releasing agent lock and watchdog');
      else if (activeCount(local) > 0 || runWorkers(env, local) > 0) {
        if (!takeAgentLease(env, local)) setState(env, local, 'lost_agent_lock');
      } else if (local.mode !== 'maintenance') {
        setState(env, local, takeAgentLease(env, local) ? 'active' : 'lost_agent_lock');
      }
      return;
  }
}

/** The LRM's clean leave: its agent lease given up first, `V` only once it is (releaseThenClose). */
function leaveReleased(env: LrmEnv, local: LrmLocal): boolean {
  return releaseThenClose(() => env.releaseAgentLease(), env.watchdog, local);
}

/**
 * Disarm (README-5.2 §4.2, §8.4): once no job of this LRM runs any more, the lease is released and the
 * watchdog client closed, and the services are left as they are. It comes before the round's work, so
 * requests the master made just before the disarm stay pending until the stack is armed again.
 */
function leaveForDisarm(env: LrmEnv, local: LrmLocal, why: string): void {
  if (drainWorkers(env, local) > 0) return; // a job in flight ends first: its result is reported
  if (!leaveReleased(env, local)) return; // the store did not answer: again next round
  env.emit({ ev: 'log', level: 'info', msg: why });
  setState(env, local, 'wait_for_agent_lock');
  local.idleRounds = 0;
}

/** A claimed registration with nothing of this node's left to protect: leave cleanly, give the lease up. */
function leaveClaimed(env: LrmEnv, local: LrmLocal): void {
  if (!leaveReleased(env, local)) return; // again next round
  local.pendingAdoption = undefined;
}

/**
 * Active services need the lease; so do services frozen through an LRM restart when this LRM claimed
 * the previous one's watchdog registration: they still run, and only the lease and the watchdog
 * together make a free lease a valid fence proof.
 */
function needsAgentLease(local: LrmLocal): boolean {
  return activeCount(local) > 0 || (local.isWatchdogOpen && local.ownServices.length > 0);
}

function countIdleRound(env: LrmEnv, local: LrmLocal): void {
  if (local.ownServices.length > 0 || runWorkers(env, local) > 0) {
    local.idleRounds = 0;
    return;
  }
  local.idleRounds++;
  if (local.idleRounds <= LRM_IDLE_ROUNDS_MAX) return;
  if (!leaveReleased(env, local)) return; // again next round
  setState(env, local, 'wait_for_agent_lock');
  local.idleRounds = 0;
}

function activeWork(env: LrmEnv, local: LrmLocal): RoundVerdict {
  let verdict: RoundVerdict = 'continue';
  if (local.mode === 'disarm') {
    drainWorkers(env, local); // still active only while a job runs: nothing new is started
  } else if (!local.shutdown) {
    manageResources(env, local);
  } else if (local.mode === 'restart') {
    // This LRM exits once its services are frozen or settled; a move the master decided (or decides
    // in the very pass it sees the restart) settles only when it runs, so moves still run here.
    manageResources(env, local, MOVE_REQUESTS);
    const workers = runWorkers(env, local);
    if (activeCount(local) === 0 && workers === 0) verdict = leaveForRestart(env, local);
  } else if (runWorkers(env, local) === 0) {
    // Not released: the registration stays armed as the LRM exits, and the node is reset unless a
    // successor claims it; a node shutting down is going down anyway.
    if (local.shutdownStopErrors === 0) leaveReleased(env, local);
    verdict = 'exit';
  }
  publishStatus(env, local);
  return verdict;
}

/**
 * An LRM exiting to restart whose services may still run (frozen, or otherwise assigned to this node)
 * keeps the agent lease and hands its watchdog registration over to the next LRM, which claims it and
 * adopts the lease at start (`startLrm`). Releasing the lease instead would let a master "fence" the
 * node by taking it while the services run on (chaos seed 1006 of 1..2000: the node was cut off
 * between the restart and the new LRM's first lease, and its services were recovered elsewhere while
 * still running). With nothing of this node's left it leaves cleanly and releases, as on any exit.
 */
function leaveForRestart(env: LrmEnv, local: LrmLocal): RoundVerdict {
  if (local.isWatchdogOpen && local.ownServices.length > 0) {
    env.watchdog.handOver();
    local.isWatchdogOpen = false;
    return 'exit';
  }
  if (local.state !== 'active' || !leaveReleased(env, local)) {
    // No lease to release (lost, or the store did not answer): whatever may still be protected is handed on.
    if (local.isWatchdogOpen) env.watchdog.handOver();
    local.isWatchdogOpen = false;
  }
  return 'exit';
}

function lostLockWork(env: LrmEnv, local: LrmLocal): RoundVerdict {
  if (!local.shutdown) return 'continue';
  if (activeCount(local) === 0) {
    if (local.mode === 'restart') return leaveForRestart(env, local);
    // A lost lease may still be this node's in the store: no clean leave unless it is released.
    leaveReleased(env, local);
    return 'exit';
  }
  const isStuck = local.mode === 'restart' && env.nowMs() - local.stateChangedMs > LOST_LOCK_RESTART_GIVE_UP_MS;
  return isStuck ? 'exit' : 'continue';
}

function maintenanceWork(env: LrmEnv, local: LrmLocal): RoundVerdict {
  let verdict: RoundVerdict = 'continue';
  if (activeCount(local) === 0 && runWorkers(env, local) === 0) {
    // Nothing left to protect: leave watchdog protection so losing quorum cannot reset the node.
    const hasLeft = leaveReleased(env, local);
    if (local.shutdown && hasLeft) verdict = 'exit';
  }
  if (verdict === 'continue') manageResources(env, local);
  publishStatus(env, local);
  return verdict;
}

/** Requests an LRM waiting to restart still executes (chaos seeds 239 and 490 of 1..2000 hung without). */
const MOVE_REQUESTS: ReadonlySet<string> = new Set(['migrate', 'relocate', 'request_start_balance']);

/** Queues the request of every service of this node (or only those in the `only` states) and runs the workers. */
function manageResources(env: LrmEnv, local: LrmLocal, only?: ReadonlySet<string>): void {
  pruneResults(local);
  for (const [sid, service] of local.ownServices) {
    if (!service.uid) continue;
    if (only && !only.has(service.state)) continue;
    if (service.state === 'recovery' || service.state === 'freeze' || service.state === 'request_start') continue;
    queueRequest(local, { sid, uid: service.uid, request: service.state, target: service.target, timeoutS: service.timeoutS });
  }
  runWorkers(env, local);
}

function publishStatus(env: LrmEnv, local: LrmLocal): boolean {
  const membership = env.membership();
  if (!membership.isQuorate || !membership.isMember(env.nodeName)) return false;
  const stats = env.measureLoad(local.ownServices);
  const fenceResults = local.fenceProxy.results.size > 0 ? new Map(local.fenceProxy.results) : undefined;
  const isWritten = env.writeLrmStatus({ state: local.state, mode: local.mode, results: local.results, timestampMs: env.nowMs(), ...(stats ? { stats } : {}), ...(fenceResults ? { fenceResults } : {}), ...(env.watchdog.resetsNode ? {} : { withoutWatchdog: true as const }) });
  local.isResultsPublished = true;
  if (isWritten) local.hasPublishedStatus = true;
  return isWritten;
}

function takeAgentLease(env: LrmEnv, local: LrmLocal): boolean {
  return renewLeaseAndFeed(() => env.tryAgentLease(), env.watchdog, local);
}

function setState(env: LrmEnv, local: LrmLocal, next: LrmState): void {
  if (local.state === next) return;
  env.emit({ ev: 'lrm-state', from: local.state, to: next });
  local.state = next;
  local.stateChangedMs = env.nowMs();
}

function setMode(env: LrmEnv, local: LrmLocal, mode: LrmLocal['mode'], why: string): void {
  if (local.mode === mode) return;
  local.mode = mode;
  env.emit({ ev: 'lrm-mode', mode, why });
}
