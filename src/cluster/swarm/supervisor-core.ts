/**
 * What a node's init system does for the HA daemons, as pure decisions (the shell that observes the
 * processes and acts is ./node-supervisor.ts):
 * - ha-crm and ha-lrm run under systemd's `Restart=on-failure`: a daemon that dies of a signal or
 *   exits non-zero is started again `restartDelayMs` later; a clean exit (status 0) is not restarted.
 *   Too many restarts in a short time and systemd gives up (`StartLimitBurst`): so does this.
 * - ha-watchdog-mux is never restarted (its unit says why): a node whose mux died is reset by its
 *   watchdog a device timeout later. No daemon is restarted meanwhile, as nothing would protect it.
 * - A node reset by its watchdog is down; it boots again after a seeded delay (the firmware, the boot).
 *   Booting starts its emulated watchdog, its mux, its LRM and its CRM.
 * - A node the swarm takes down itself (a clean reboot, a reset) is `stopping` while the swarm acts,
 *   then `down` for the fault's own delay.
 */
import { assert } from '../../common/assert.ts';

export type SupervisedDaemon = 'crm' | 'lrm';

export type NodePhase =
  | { readonly kind: 'up' }
  | { readonly kind: 'stopping' }
  | { readonly kind: 'down'; readonly bootAtMs: number }
  | { readonly kind: 'booting' };

export interface DaemonSupervision {
  /** The process whose exit was last acted on (or expected by the swarm): one exit, one decision. */
  readonly handledPid: number | undefined;
  readonly restartAtMs: number | undefined;
  /** When the recent restarts happened, for the start limit. */
  readonly restartsMs: readonly number[];
  readonly hasGivenUp: boolean;
}

export interface NodeSupervision {
  readonly phase: NodePhase;
  /** Reset records of the node seen so far (its resets.jsonl). */
  readonly resetsSeen: number;
  readonly muxDeadSinceMs: number | undefined;
  readonly bootFailures: number;
  readonly daemons: Readonly<Record<SupervisedDaemon, DaemonSupervision>>;
}

export type DaemonObservation =
  | { readonly kind: 'running'; readonly pid: number }
  | { readonly kind: 'exited'; readonly pid: number; readonly isFailure: boolean; readonly how: string }
  | { readonly kind: 'absent' };

export interface NodeObservation {
  readonly resets: number;
  readonly isMuxRunning: boolean;
  readonly daemons: Readonly<Record<SupervisedDaemon, DaemonObservation>>;
}

export type SupervisorAction =
  | { readonly kind: 'restart'; readonly daemon: SupervisedDaemon; readonly reason: string }
  | { readonly kind: 'give-up'; readonly daemon: SupervisedDaemon; readonly reason: string }
  /** The node went down: kill what is left of it (the rest of the reset); it boots at `bootAtMs`. */
  | { readonly kind: 'down'; readonly reason: string; readonly bootAtMs: number }
  | { readonly kind: 'boot' }
  /** The mux died and no watchdog reset followed: the device was not armed, which must not happen. */
  | { readonly kind: 'watchdog-silent'; readonly silentMs: number };

export interface SupervisorLimits {
  /** systemd's RestartSec, scaled to the timing profile. */
  readonly restartDelayMs: number;
  /** systemd's StartLimitBurst within StartLimitIntervalSec. */
  readonly startLimitBurst: number;
  readonly startLimitIntervalMs: number;
  /** A node whose mux is dead this long without a reset record: its watchdog did not fire. */
  readonly muxResetWaitMs: number;
  /** Boots that fail in a row before the node is left down. */
  readonly bootFailuresMax: number;
}

export interface SuperviseInput {
  readonly nowMs: number;
  readonly limits: SupervisorLimits;
  /** The next seeded reboot delay; called once per node that goes down. */
  readonly drawRebootDelayMs: () => number;
}

type Step = { readonly state: NodeSupervision; readonly actions: SupervisorAction[] };

const FRESH_DAEMON: DaemonSupervision = { handledPid: undefined, restartAtMs: undefined, restartsMs: [], hasGivenUp: false };

export function initialSupervision(resets: number): NodeSupervision {
  assert(Number.isInteger(resets) && resets >= 0, `Bad reset count ${resets}`);
  return { phase: { kind: 'up' }, resetsSeen: resets, muxDeadSinceMs: undefined, bootFailures: 0, daemons: { crm: FRESH_DAEMON, lrm: FRESH_DAEMON } };
}

/** One look at a node: what to do now. */
export function superviseNode(state: NodeSupervision, observation: NodeObservation, input: SuperviseInput): Step {
  assert(observation.resets >= state.resetsSeen, `Reset records went back from ${state.resetsSeen} to ${observation.resets}`);
  const isNewReset = observation.resets > state.resetsSeen;
  const seen: NodeSupervision = { ...state, resetsSeen: observation.resets };
  switch (seen.phase.kind) {
    case 'up':
      if (isNewReset) return goDown(seen, 'reset by its watchdog', input);
      return superviseUp(seen, observation, input);
    case 'down':
      if (input.nowMs < seen.phase.bootAtMs) return { state: seen, actions: [] };
      return { state: { ...seen, phase: { kind: 'booting' } }, actions: [{ kind: 'boot' }] };
    case 'stopping':
    case 'booting':
      return { state: seen, actions: [] };
  }
}

function superviseUp(state: NodeSupervision, observation: NodeObservation, input: SuperviseInput): Step {
  if (!observation.isMuxRunning) {
    const sinceMs = state.muxDeadSinceMs ?? input.nowMs;
    const silentMs = input.nowMs - sinceMs;
    if (silentMs < input.limits.muxResetWaitMs) return { state: { ...state, muxDeadSinceMs: sinceMs }, actions: [] };
    const down = goDown(state, `its mux died ${silentMs} ms ago and no watchdog reset followed`, input);
    return { state: down.state, actions: [{ kind: 'watchdog-silent', silentMs }, ...down.actions] };
  }
  const actions: SupervisorAction[] = [];
  const crm = superviseDaemon('crm', state.daemons.crm, observation.daemons.crm, input, actions);
  const lrm = superviseDaemon('lrm', state.daemons.lrm, observation.daemons.lrm, input, actions);
  return { state: { ...state, muxDeadSinceMs: undefined, daemons: { crm, lrm } }, actions };
}

function superviseDaemon(
  daemon: SupervisedDaemon,
  state: DaemonSupervision,
  observation: DaemonObservation,
  input: SuperviseInput,
  actions: SupervisorAction[],
): DaemonSupervision {
  if (observation.kind !== 'exited') return state.restartAtMs === undefined ? state : { ...state, restartAtMs: undefined };
  if (observation.pid !== state.handledPid) {
    const isRestarted = observation.isFailure && !state.hasGivenUp;
    return { ...state, handledPid: observation.pid, restartAtMs: isRestarted ? input.nowMs + input.limits.restartDelayMs : undefined };
  }
  if (state.restartAtMs === undefined || input.nowMs < state.restartAtMs) return state;
  const { startLimitBurst, startLimitIntervalMs } = input.limits;
  const recentMs = state.restartsMs.filter((atMs) => input.nowMs - atMs < startLimitIntervalMs);
  if (recentMs.length >= startLimitBurst) {
    actions.push({ kind: 'give-up', daemon, reason: `${recentMs.length} restarts within ${startLimitIntervalMs} ms, last exit: ${observation.how}` });
    return { ...state, restartAtMs: undefined, restartsMs: recentMs, hasGivenUp: true };
  }
  actions.push({ kind: 'restart', daemon, reason: observation.how });
  return { ...state, restartAtMs: undefined, restartsMs: [...recentMs, input.nowMs] };
}

function goDown(state: NodeSupervision, reason: string, input: SuperviseInput): Step {
  const bootAtMs = input.nowMs + input.drawRebootDelayMs();
  const daemons = { crm: FRESH_DAEMON, lrm: FRESH_DAEMON };
  return { state: { ...state, phase: { kind: 'down', bootAtMs }, muxDeadSinceMs: undefined, daemons }, actions: [{ kind: 'down', reason, bootAtMs }] };
}

/** The swarm takes the node down itself (a clean reboot or a reset): nothing is restarted meanwhile. */
export function stoppingNode(state: NodeSupervision): NodeSupervision {
  assert(state.phase.kind === 'up', `A node is taken down only from up, not ${state.phase.kind}`);
  return { ...state, phase: { kind: 'stopping' } };
}

/** The swarm has taken the node down; it boots after `delayMs`. */
export function downNode(state: NodeSupervision, nowMs: number, delayMs: number): NodeSupervision {
  assert(state.phase.kind === 'stopping', `A node goes down after stopping, not from ${state.phase.kind}`);
  assert(delayMs >= 0, `Negative reboot delay ${delayMs}`);
  return { ...state, phase: { kind: 'down', bootAtMs: nowMs + delayMs }, muxDeadSinceMs: undefined, daemons: { crm: FRESH_DAEMON, lrm: FRESH_DAEMON } };
}

/** The swarm restarts a daemon itself (an LRM restart): its exit is expected, not a failure to act on. */
export function expectExit(state: NodeSupervision, daemon: SupervisedDaemon, pid: number): NodeSupervision {
  return { ...state, daemons: { ...state.daemons, [daemon]: { ...state.daemons[daemon], handledPid: pid, restartAtMs: undefined } } };
}

/** A boot ended: up, or down again for another delay (left down after too many failures). */
export function bootEnded(state: NodeSupervision, isBooted: boolean, input: SuperviseInput): NodeSupervision {
  assert(state.phase.kind === 'booting', `A boot ends only while booting, not ${state.phase.kind}`);
  if (isBooted) return { ...state, phase: { kind: 'up' }, bootFailures: 0, muxDeadSinceMs: undefined, daemons: { crm: FRESH_DAEMON, lrm: FRESH_DAEMON } };
  const bootFailures = state.bootFailures + 1;
  const bootAtMs = bootFailures >= input.limits.bootFailuresMax ? Infinity : input.nowMs + input.drawRebootDelayMs();
  return { ...state, phase: { kind: 'down', bootAtMs }, bootFailures };
}
