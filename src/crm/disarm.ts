/**
 * Disarming the HA stack: a cluster-wide switch that takes HA out of service (for maintenance of the
 * cluster itself: a storage or network change that would otherwise reset nodes) without fencing
 * anything, and puts it back.
 *
 *   armed ──disarm-ha <mode>──▶ disarming ──every online LRM in mode `disarm`──▶ disarmed
 *     ▲                            │                                               │
 *     └────────────── arm-ha ──────┴───────────────────────────────────────────────┘
 *
 * The request lives in the manager status (`disarm: {mode, state}`), so it survives master changes,
 * and every LRM reads it there: an LRM that sees it releases its agent lease and closes its watchdog
 * client, acting on no request until the request is gone. The master, while a request exists, adds and
 * removes no services, runs no handlers and fences nothing (the pass ends after this module's pass):
 * in `freeze` mode every service is frozen where it is, in `ignore` mode services keep their states
 * and lose only their pending commands. Fences, recoveries and moves already under way are finished
 * first (the disarm is deferred), since a half-done move or a node half fenced must not be left so.
 * Once every online LRM says `disarm` the stack is `disarmed`, and the master releases its own
 * watchdog client too (crm-daemon.ts).
 *
 * The one promise holds through it: an LRM that releases its lease for a disarm leaves its services
 * running, so a free agent lease proves nothing about them any more. From the request on, every
 * service is marked as possibly running unmanaged (fence-proofs.ts: only a reset then proves it
 * stopped), and arming gives every service a fresh request id, so that only a result its node's LRM
 * reports after it took its lease again clears the mark.
 */
import { assert } from '../common/assert.ts';
import type { ManagerStatus, ServiceStatus } from '../common/manager-status.ts';
import type { DisarmMode, ServiceState } from '../common/states.ts';
import type { EmitEvent } from '../common/trace.ts';
import type { ServiceContext } from './service-context.ts';

/** What the master does on an accepted `disarm-ha` or `arm-ha` (apply-crm-commands.ts). */
export interface DisarmSwitch {
  disarm(mode: DisarmMode): void;
  arm(): void;
}

export interface DisarmSwitchPorts {
  readonly status: ManagerStatus;
  /** The managed services in sid order. */
  readonly entries: () => ReadonlyArray<readonly [string, ServiceStatus]>;
  /** The node resources.cfg names for a service, with what this master recorded and not seen yet. */
  readonly configuredNode: (sid: string) => string | undefined;
  readonly newUid: () => string;
  readonly emit: EmitEvent;
  /** Services changed node without a state change: loads carried from round to round are stale. */
  readonly nodesChanged: () => void;
}

/** States whose end a disarm waits for: a node being fenced, a service being recovered or moved. */
const DEFERRING_STATES: ReadonlySet<ServiceState> = new Set(['fence', 'recovery', 'migrate', 'relocate']);

/** States that `freeze` mode freezes; `error` and `freeze` stay as they are. */
const FREEZING_STATES: ReadonlySet<ServiceState> = new Set(['started', 'stopped', 'request_stop', 'request_start', 'request_start_balance']);

const NOTHING: ReadonlySet<string> = new Set();

export function disarmSwitch(ports: DisarmSwitchPorts): DisarmSwitch {
  return { disarm: (mode) => acceptDisarm(ports, mode), arm: () => acceptArm(ports) };
}

function acceptDisarm(ports: DisarmSwitchPorts, mode: DisarmMode): void {
  assert(ports.status.disarm === undefined, 'Disarm accepted while a disarm request exists');
  ports.status.disarm = { mode, state: 'disarming' };
  ports.emit({ ev: 'disarm-state', from: 'armed', to: 'disarming', mode });
  if (mode !== 'ignore') return;
  for (const [sid] of ports.entries()) ports.emit({ ev: 'service-tracking', sid, tracking: 'suspended' });
}

/**
 * Ends the request. In `ignore` mode a service may have been moved by hand meanwhile (`manual-migrate`,
 * an operator's live migration): the node resources.cfg names now is where it is. Every service gets a
 * fresh request id: its LRM acts on it anew once it holds its lease again, and only that report clears
 * the mark that it may run unmanaged (see the note at the top).
 */
function acceptArm(ports: DisarmSwitchPorts): void {
  const request = ports.status.disarm;
  assert(request !== undefined, 'Arm accepted without a disarm request');
  let isAnyMoved = false;
  for (const [sid, service] of ports.entries()) {
    const configured = request.mode === 'ignore' ? ports.configuredNode(sid) : undefined;
    if (configured !== undefined && configured !== service.node) {
      ports.emit({ ev: 'service-fixup', sid, from: service.node, to: configured, reason: 'arm' });
      service.node = configured;
      isAnyMoved = true;
    }
    service.uid = ports.newUid();
    service.mayRunUnmanaged = true;
  }
  if (isAnyMoved) ports.nodesChanged();
  delete ports.status.disarm;
  ports.emit({ ev: 'disarm-state', from: request.state, to: 'armed' });
}

/**
 * The master's pass while a disarm request exists (after the CRM commands). Returns the services
 * whose handlers (and fencing) still run this pass: those the disarm waits for, or none — then the
 * pass ends with saving the status.
 */
export function disarmPass(ctx: ServiceContext, status: ManagerStatus, entries: ReadonlyArray<readonly [string, ServiceStatus]>): ReadonlySet<string> {
  const request = status.disarm;
  assert(request !== undefined, 'Disarm pass without a disarm request');
  const deferred = new Set<string>();
  for (const [sid, service] of entries) {
    // LRMs let go of their leases from the request on, leaving services running: see the note at the top.
    service.mayRunUnmanaged = true;
    if (DEFERRING_STATES.has(service.state)) deferred.add(sid);
  }
  if (deferred.size > 0) {
    for (const sid of deferred) ctx.emit({ ev: 'log', level: 'info', msg: `deferring disarm: ${sid} is in state '${status.serviceStatus.get(sid)!.state}'` });
    return deferred;
  }
  for (const [sid, service] of entries) hold(ctx, sid, service, request.mode);
  if (request.state === 'disarming' && ctx.nodes.onlineNodes().every((node) => ctx.lrmMode(node) === 'disarm')) {
    status.disarm = { mode: request.mode, state: 'disarmed' };
    ctx.emit({ ev: 'disarm-state', from: 'disarming', to: 'disarmed' });
  }
  assert(status.disarm !== undefined, 'Disarm pass lost the request');
  return NOTHING;
}

/**
 * Holds one service as the mode says, every pass: a command accepted while disarmed is never carried
 * out (dropped here, or in `freeze` mode kept on a frozen service until its unfreeze drops it).
 */
function hold(ctx: ServiceContext, sid: string, service: ServiceStatus, mode: DisarmMode): void {
  if (mode === 'freeze') {
    if (!FREEZING_STATES.has(service.state)) return;
    ctx.change(sid, service, 'freeze', { reason: 'disarm' });
    service.failedNodes = undefined;
    return;
  }
  service.cmd = undefined;
  service.failedNodes = undefined;
  service.timeoutS = undefined;
  // A balance before the first start keeps its target: the LRM moves it once armed (it has no other).
  if (service.state !== 'request_start_balance') service.target = undefined;
}
