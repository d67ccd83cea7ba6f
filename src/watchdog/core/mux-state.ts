/**
 * The multiplexer's decisions, pure: which registrations are fresh, when to stop feeding the device
 * for good, when to warn, who may take over a registration, and what to do with the device on a clean
 * stop. The daemon shell (../watchdog-mux.ts) and the simulator's watchdogs (src/sim/sim-watchdogs.ts)
 * feed connections, hello lines, bytes and clock ticks in, and carry out what comes back; the wire
 * format is in ./mux-protocol.ts.
 *
 * Rules (protocol v2; DESIGN.md "Processes on a node"):
 * - A connection first says hello: its daemon, its own timeout, its pid. **Registrations are keyed by
 *   daemon name**: a hello for a daemon with no registration makes a new, unarmed one; a hello for a
 *   daemon whose registration is attached to another connection is refused; a claiming hello for a
 *   daemon whose registration is detached (its process handed over or died while armed) **claims**
 *   it: the connection is attached to it and its deadline does NOT move; a hello that does not claim
 *   is refused then (the CRM never claims: a crashed master's node is reset). A timeout above the
 *   ceiling, or too many connections or registrations, is refused.
 * - `k` is a keepalive: it arms an unarmed registration, and sets deadline := now + its timeout. `V`
 *   as the last byte before the close is a clean leave (the registration goes); `H` as the last byte
 *   before the close is a hand-over (the registration stays, detached, with its deadline). A close
 *   without either keeps an armed registration with its deadline (a killed daemon: a successor may
 *   claim it) and drops an unarmed one.
 * - **Any deadline passing stops the feeding for good** (latched), whether the registration is
 *   attached or detached: the node is to be reset by the device, nothing re-arms it. A keepalive
 *   arriving after its deadline is too late and counts as silence (a mux whose loop stalled must not
 *   take a late byte as proof of life). A deadline passes when the clock is strictly past it.
 * - Each registration is warned about once per silence, at 5/6 of its own timeout.
 * - With no registration at all the mux keeps feeding (the device stays armed while the mux runs); on
 *   a clean stop the device is disarmed (magic close) only with no registration left and feeding
 *   intact.
 */
import { assert } from '../../common/assert.ts';
import { HAND_OVER_BYTE, isLineProblem, KEEPALIVE_BYTE, MAGIC_BYTE, MUX_PROTOCOL_VERSION, type Hello, type HelloReply, type LineProblem } from './mux-protocol.ts';

export interface MuxLimits {
  /** Connections and registrations at once: a node runs one CRM and one LRM; more is a bug or abuse. */
  readonly clientsMax: number;
  /** The longest timeout a client may announce: past it the node would go unreset too long (300 s). */
  readonly clientTimeoutMsMax: number;
  /** The device's actual timeout (a hardware fact, reported in every hello reply). */
  readonly deviceTimeoutMs: number;
}

export const DEFAULT_MUX_LIMITS: MuxLimits = { clientsMax: 16, clientTimeoutMsMax: 300_000, deviceTimeoutMs: 10_000 };

/** An open connection: waiting for its hello, attached to the registration of its daemon, or refused (closing). */
export interface MuxConnection {
  readonly connectionId: number;
  readonly phase: 'hello' | 'attached' | 'refused';
}

export interface MuxRegistration {
  readonly daemon: string;
  /** The process that said hello last (or claimed it). */
  readonly pid: number;
  /** The client's own timeout; the next keepalive sets the deadline this far ahead. */
  readonly timeoutMs: number;
  /** Undefined while detached: its process left with `H`, or died while armed. */
  readonly connectionId: number | undefined;
  /** Undefined while unarmed (hello said, no keepalive yet). */
  readonly lastKeepaliveMs: number | undefined;
  readonly deadlineMs: number | undefined;
  /** The last byte asked to leave: a close now is a clean leave or a hand-over. */
  readonly leave: 'clean' | 'hand-over' | undefined;
  /** The warning for the current silence has been given. */
  readonly isWarned: boolean;
  /** Its deadline passed: it stopped the feeding (it stays listed, it can be fed no more). */
  readonly isExpired: boolean;
}

/** Why and when the feeding stopped: `atMs` is the deadline that passed. */
export interface MuxStop {
  readonly reason: string;
  readonly atMs: number;
  readonly daemon: string;
  readonly isAttached: boolean;
}

export interface MuxState {
  readonly connections: readonly MuxConnection[];
  /** In the order they were made. */
  readonly registrations: readonly MuxRegistration[];
  /** Undefined while the mux feeds. Once set it never clears. */
  readonly stop: MuxStop | undefined;
  /** The clock of the last input: time never goes back. */
  readonly nowMs: number;
}

export type MuxEvent =
  | { readonly kind: 'connection-refused'; readonly connectionId: number; readonly reason: string }
  | { readonly kind: 'hello-refused'; readonly connectionId: number; readonly reason: string }
  | { readonly kind: 'joined'; readonly daemon: string; readonly pid: number; readonly timeoutMs: number }
  | { readonly kind: 'claimed'; readonly daemon: string; readonly pid: number; readonly previousPid: number; readonly keepaliveAgeMs: number; readonly deadlineInMs: number }
  | { readonly kind: 'left'; readonly daemon: string; readonly pid: number; readonly how: 'clean' | 'unarmed' }
  | { readonly kind: 'handed-over'; readonly daemon: string; readonly pid: number; readonly deadlineInMs: number }
  | { readonly kind: 'detached'; readonly daemon: string; readonly pid: number; readonly deadlineInMs: number }
  | { readonly kind: 'warning'; readonly daemon: string; readonly pid: number; readonly silentMs: number; readonly timeoutMs: number }
  | { readonly kind: 'lost'; readonly daemon: string; readonly pid: number; readonly reason: string }
  | { readonly kind: 'protocol-error'; readonly daemon: string; readonly pid: number; readonly reason: string }
  | { readonly kind: 'feeding-stopped'; readonly reason: string };

export interface MuxStep {
  readonly state: MuxState;
  readonly events: readonly MuxEvent[];
}

export interface MuxTick extends MuxStep {
  /** Write a keepalive to the device now. */
  readonly shouldFeed: boolean;
}

/** What a clean stop does with the device. */
export type MuxStopAction = { readonly action: 'magic-close' } | { readonly action: 'leave-armed'; readonly reason: string };

export function initialMuxState(nowMs: number): MuxState {
  assert(Number.isSafeInteger(nowMs), `The mux clock must be an integer, got ${nowMs}`);
  return { connections: [], registrations: [], stop: undefined, nowMs };
}

/** Reasons `limits` are unusable; empty when they are fine. */
export function muxLimitsViolations(limits: MuxLimits): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${name} must be a positive integer, got ${value}`);
  }
  return problems;
}

/** A connection was accepted by the socket; it counts against clientsMax until it closes. */
export function connectionOpened(state: MuxState, input: { connectionId: number; nowMs: number }, limits: MuxLimits): MuxStep & { isAccepted: boolean } {
  const { connectionId } = input;
  assert(Number.isSafeInteger(connectionId) && connectionId >= 0, `Connection id must be a non-negative integer, got ${connectionId}`);
  assert(!state.connections.some((each) => each.connectionId === connectionId), `Connection ${connectionId} opened twice`);
  const expired = expireDeadlines(state, input.nowMs);
  if (expired.state.connections.length >= limits.clientsMax) {
    const reason = `${expired.state.connections.length} connections open, clientsMax ${limits.clientsMax}`;
    return { state: expired.state, events: [...expired.events, { kind: 'connection-refused', connectionId, reason }], isAccepted: false };
  }
  const connections = [...expired.state.connections, { connectionId, phase: 'hello' as const }];
  return { state: { ...expired.state, connections }, events: expired.events, isAccepted: true };
}

/** The hello line of a connection (or why it could not be read): join, claim, or refusal. */
export function helloReceived(
  state: MuxState,
  input: { connectionId: number; hello: Hello | LineProblem; nowMs: number },
  limits: MuxLimits,
): MuxStep & { reply: HelloReply } {
  const connection = findConnection(state, input.connectionId);
  assert(connection.phase === 'hello', `Connection ${input.connectionId} said hello twice`);
  const expired = expireDeadlines(state, input.nowMs);
  const hello = input.hello;
  const refusal = isLineProblem(hello) ? hello.problem : refusalOf(expired.state, hello, limits);
  if (refusal !== undefined) {
    const next = withPhase(expired.state, input.connectionId, 'refused');
    const reply: HelloReply = { v: MUX_PROTOCOL_VERSION, accepted: false, reason: refusal };
    return { state: next, events: [...expired.events, { kind: 'hello-refused', connectionId: input.connectionId, reason: refusal }], reply };
  }
  assert(!isLineProblem(hello), 'A hello that could not be read was refused above');
  const existing = expired.state.registrations.find((each) => each.daemon === hello.daemon);
  const step = existing === undefined ? join(expired.state, input.connectionId, hello) : claim(expired.state, input.connectionId, hello, existing);
  const accepted = { v: MUX_PROTOCOL_VERSION as typeof MUX_PROTOCOL_VERSION, accepted: true as const, deviceTimeoutMs: limits.deviceTimeoutMs, clientTimeoutMsMax: limits.clientTimeoutMsMax };
  const reply: HelloReply = step.keepaliveAgeMs === undefined ? { ...accepted, claimed: false } : { ...accepted, claimed: true, keepaliveAgeMs: step.keepaliveAgeMs };
  return { state: step.state, events: [...expired.events, ...step.events], reply };
}

/** Why a readable hello is refused, with the numbers; undefined when it is accepted. */
function refusalOf(state: MuxState, hello: Hello, limits: MuxLimits): string | undefined {
  if (hello.timeoutMs > limits.clientTimeoutMsMax) {
    return `${hello.daemon} (pid ${hello.pid}) announces a timeout of ${hello.timeoutMs} ms, above this mux's ceiling of ${limits.clientTimeoutMsMax} ms (--client-timeout-max)`;
  }
  const existing = state.registrations.find((each) => each.daemon === hello.daemon);
  if (existing === undefined) {
    if (state.registrations.length >= limits.clientsMax) return `${state.registrations.length} registrations, clientsMax ${limits.clientsMax}`;
    return undefined;
  }
  if (existing.connectionId !== undefined) return `${hello.daemon} is registered already, attached to pid ${existing.pid}`;
  if (hello.isClaiming) return undefined;
  const deadlineInMs = (existing.deadlineMs ?? state.nowMs) - state.nowMs;
  return `${hello.daemon} pid ${existing.pid} left its registration armed (deadline in ${deadlineInMs} ms); only a claiming hello takes it over, and when it passes the node is reset`;
}

function join(state: MuxState, connectionId: number, hello: Hello): MuxStep & { keepaliveAgeMs: undefined } {
  const registration: MuxRegistration = {
    daemon: hello.daemon,
    pid: hello.pid,
    timeoutMs: hello.timeoutMs,
    connectionId,
    lastKeepaliveMs: undefined,
    deadlineMs: undefined,
    leave: undefined,
    isWarned: false,
    isExpired: false,
  };
  const next = withPhase({ ...state, registrations: [...state.registrations, registration] }, connectionId, 'attached');
  return { state: next, events: [{ kind: 'joined', daemon: hello.daemon, pid: hello.pid, timeoutMs: hello.timeoutMs }], keepaliveAgeMs: undefined };
}

/** Attaches a detached registration to the claiming connection; its deadline stays where it was. */
function claim(state: MuxState, connectionId: number, hello: Hello, existing: MuxRegistration): MuxStep & { keepaliveAgeMs: number } {
  assert(existing.connectionId === undefined && hello.isClaiming, `Claim of ${hello.daemon} that is attached or not asked for`);
  assert(existing.lastKeepaliveMs !== undefined && existing.deadlineMs !== undefined, `Detached registration of ${hello.daemon} is unarmed`);
  const claimed: MuxRegistration = { ...existing, pid: hello.pid, timeoutMs: hello.timeoutMs, connectionId, leave: undefined };
  const next = withPhase(replaceRegistration(state, existing, claimed), connectionId, 'attached');
  const keepaliveAgeMs = state.nowMs - existing.lastKeepaliveMs;
  const event: MuxEvent = { kind: 'claimed', daemon: hello.daemon, pid: hello.pid, previousPid: existing.pid, keepaliveAgeMs, deadlineInMs: existing.deadlineMs - state.nowMs };
  return { state: next, events: [event], keepaliveAgeMs };
}

/**
 * Bytes of an attached connection after its hello. Any other byte than `k`, `V`, `H` is a protocol
 * error: the shell drops the connection (`isProtocolError`), which then closes as a close without V.
 */
export function bytesReceived(state: MuxState, input: { connectionId: number; data: Uint8Array; nowMs: number }): MuxStep & { isProtocolError: boolean } {
  const connection = findConnection(state, input.connectionId);
  assert(connection.phase !== 'hello', `Bytes from connection ${input.connectionId} before its hello`);
  assert(input.data.length > 0, `Connection ${input.connectionId} sent an empty chunk`);
  const expired = expireDeadlines(state, input.nowMs);
  if (connection.phase === 'refused') return { ...expired, isProtocolError: false };
  let registration = registrationOf(expired.state, input.connectionId);
  const before = registration;
  for (const byte of input.data) {
    if (byte === KEEPALIVE_BYTE) registration = keptAlive(registration, input.nowMs);
    else if (byte === MAGIC_BYTE) registration = { ...registration, leave: 'clean' };
    else if (byte === HAND_OVER_BYTE) registration = { ...registration, leave: 'hand-over' };
    else {
      const reason = `byte 0x${byte.toString(16).padStart(2, '0')} is none of k, V, H`;
      const event: MuxEvent = { kind: 'protocol-error', daemon: registration.daemon, pid: registration.pid, reason };
      return { state: replaceRegistration(expired.state, before, registration), events: [...expired.events, event], isProtocolError: true };
    }
  }
  return { state: replaceRegistration(expired.state, before, registration), events: expired.events, isProtocolError: false };
}

/** A keepalive moves the deadline, unless it came after it (then it is silence, already counted). */
function keptAlive(registration: MuxRegistration, nowMs: number): MuxRegistration {
  if (registration.isExpired) return { ...registration, leave: undefined };
  return { ...registration, lastKeepaliveMs: nowMs, deadlineMs: nowMs + registration.timeoutMs, leave: undefined, isWarned: false };
}

/** A connection closed: what happens to its registration depends on the last byte and on whether it is armed. */
export function connectionClosed(state: MuxState, input: { connectionId: number; nowMs: number }): MuxStep {
  const connection = findConnection(state, input.connectionId);
  const expired = expireDeadlines(state, input.nowMs);
  const connections = expired.state.connections.filter((each) => each.connectionId !== input.connectionId);
  assert(connections.length === expired.state.connections.length - 1, `Connection ${input.connectionId} listed more than once`);
  const withoutConnection: MuxState = { ...expired.state, connections };
  if (connection.phase !== 'attached') return { state: withoutConnection, events: expired.events };
  const registration = registrationOf(expired.state, input.connectionId);
  const { daemon, pid } = registration;
  const isArmed = registration.deadlineMs !== undefined;
  if (registration.leave === 'clean' || !isArmed) {
    const registrations = withoutConnection.registrations.filter((each) => each !== registration);
    const how = registration.leave === 'clean' ? 'clean' : 'unarmed';
    return { state: { ...withoutConnection, registrations }, events: [...expired.events, { kind: 'left', daemon, pid, how }] };
  }
  const detached: MuxRegistration = { ...registration, connectionId: undefined, leave: undefined };
  const deadlineInMs = registration.deadlineMs - input.nowMs;
  const event: MuxEvent = registration.leave === 'hand-over' ? { kind: 'handed-over', daemon, pid, deadlineInMs } : { kind: 'detached', daemon, pid, deadlineInMs };
  return { state: replaceRegistration(withoutConnection, registration, detached), events: [...expired.events, event] };
}

/** One keepalive period: stop on passed deadlines, warn about silent registrations, say whether to feed. */
export function muxTick(state: MuxState, nowMs: number, limits: MuxLimits): MuxTick {
  assert(state.connections.length <= limits.clientsMax, `${state.connections.length} connections exceed clientsMax ${limits.clientsMax}`);
  assert(state.registrations.length <= limits.clientsMax, `${state.registrations.length} registrations exceed clientsMax ${limits.clientsMax}`);
  const expired = expireDeadlines(state, nowMs);
  const events: MuxEvent[] = [...expired.events];
  const registrations = expired.state.registrations.map((registration) => {
    const { deadlineMs, lastKeepaliveMs } = registration;
    if (deadlineMs === undefined || lastKeepaliveMs === undefined || registration.isWarned || registration.isExpired) return registration;
    if (deadlineMs - nowMs > Math.floor(registration.timeoutMs / 6)) return registration;
    events.push({ kind: 'warning', daemon: registration.daemon, pid: registration.pid, silentMs: nowMs - lastKeepaliveMs, timeoutMs: registration.timeoutMs });
    return { ...registration, isWarned: true };
  });
  const next: MuxState = { ...expired.state, registrations };
  return { state: next, events, shouldFeed: next.stop === undefined };
}

/** A clean stop disarms the device only when nobody is protected by it and nothing asked for a reset. */
export function muxStopAction(state: MuxState): MuxStopAction {
  assert(new Set(state.registrations.map((each) => each.daemon)).size === state.registrations.length, 'A daemon is registered twice');
  if (state.stop !== undefined) return { action: 'leave-armed', reason: `feeding had stopped: ${state.stop.reason}` };
  if (state.registrations.length > 0) {
    const names = state.registrations.map((each) => `${each.daemon} pid ${each.pid}${each.connectionId === undefined ? ' (detached)' : ''}`).join(', ');
    return { action: 'leave-armed', reason: `${state.registrations.length} registration(s) left (${names})` };
  }
  return { action: 'magic-close' };
}

/** Advances the clock to `nowMs` and stops the feeding for every armed registration whose deadline passed. */
function expireDeadlines(state: MuxState, nowMs: number): MuxStep {
  assert(Number.isSafeInteger(nowMs), `The mux clock must be an integer, got ${nowMs}`);
  assert(nowMs >= state.nowMs, `The mux clock went back from ${state.nowMs} to ${nowMs}`);
  const passed = state.registrations.filter((each) => !each.isExpired && each.deadlineMs !== undefined && nowMs > each.deadlineMs);
  if (passed.length === 0) return { state: nowMs === state.nowMs ? state : { ...state, nowMs }, events: [] };
  passed.sort((a, b) => a.deadlineMs! - b.deadlineMs!);
  const events: MuxEvent[] = [];
  let stop = state.stop;
  for (const registration of passed) {
    const where = registration.connectionId === undefined ? 'detached, ' : '';
    const reason = `${registration.daemon} (pid ${registration.pid}, ${where}timeout ${registration.timeoutMs} ms) missed its deadline: no keepalive for ${nowMs - registration.lastKeepaliveMs!} ms`;
    events.push({ kind: 'lost', daemon: registration.daemon, pid: registration.pid, reason });
    if (stop !== undefined) continue;
    stop = { reason, atMs: registration.deadlineMs!, daemon: registration.daemon, isAttached: registration.connectionId !== undefined };
    events.push({ kind: 'feeding-stopped', reason });
  }
  const registrations = state.registrations.map((each) => (passed.includes(each) ? { ...each, isExpired: true } : each));
  return { state: { ...state, registrations, stop, nowMs }, events };
}

function findConnection(state: MuxState, connectionId: number): MuxConnection {
  const connection = state.connections.find((each) => each.connectionId === connectionId);
  assert(connection !== undefined, `Unknown connection ${connectionId}`);
  return connection;
}

function registrationOf(state: MuxState, connectionId: number): MuxRegistration {
  const registration = state.registrations.find((each) => each.connectionId === connectionId);
  assert(registration !== undefined, `Attached connection ${connectionId} has no registration`);
  return registration;
}

function withPhase(state: MuxState, connectionId: number, phase: MuxConnection['phase']): MuxState {
  return { ...state, connections: state.connections.map((each) => (each.connectionId === connectionId ? { connectionId, phase } : each)) };
}

function replaceRegistration(state: MuxState, old: MuxRegistration, next: MuxRegistration): MuxState {
  if (old === next) return state;
  assert(old.daemon === next.daemon, `Registration of ${old.daemon} replaced by one of ${next.daemon}`);
  return { ...state, registrations: state.registrations.map((each) => (each === old ? next : each)) };
}
