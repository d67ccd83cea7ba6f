/**
 * The multiplexer's decisions, pure: which clients are fresh, when to stop feeding the device for
 * good, when to warn, and what to do with the device on a clean stop. The daemon shell
 * (../watchdog-mux.ts) feeds socket events and clock ticks in and carries out what comes back.
 *
 * Rules (Proxmox's watchdog-mux, kept):
 * - any byte from a client is a keepalive; a client whose last byte was `V` may close: a clean leave;
 * - a client that closes without `V`, or stays silent for `clientTimeoutMs`, stops the feeding
 *   **for good** (latched): the node is to be reset by the device, nothing re-arms it;
 * - a keepalive that arrives after the client's timeout has passed is too late and counts as silence
 *   (a mux whose loop stalled must not take a late byte as proof of life);
 * - with no client at all the mux keeps feeding (the device stays armed while the mux runs);
 * - on a clean stop the device is disarmed (magic close) only with no client left and feeding intact.
 */
import { assert } from '../../common/assert.ts';

/** The magic byte: written last before a close, it makes the close a clean leave. */
export const MAGIC_BYTE = 0x56; // 'V'

export interface MuxLimits {
  /** A client silent this long stops the feeding (Proxmox: 60 s). */
  readonly clientTimeoutMs: number;
  /** A client silent this long is warned about once per silence (Proxmox logs at 50 s). */
  readonly clientWarningMs: number;
  /** At most this many clients at once: a node runs one CRM and one LRM; more is a bug or abuse. */
  readonly clientsMax: number;
}

export const DEFAULT_MUX_LIMITS: MuxLimits = { clientTimeoutMs: 60_000, clientWarningMs: 50_000, clientsMax: 16 };

export interface MuxClient {
  readonly clientId: number;
  readonly lastKeepaliveMs: number;
  /** The last byte received was `V`: a close now is a clean leave. */
  readonly isMagicPending: boolean;
  /** The warning for the current silence has been given. */
  readonly isWarned: boolean;
}

export interface MuxState {
  /** Connected clients, in the order they joined. */
  readonly clients: readonly MuxClient[];
  /** Why feeding stopped; undefined while the mux feeds. Once set it never clears. */
  readonly stopReason: string | undefined;
}

export type MuxEvent =
  | { readonly kind: 'client-joined'; readonly clientId: number; readonly clientCount: number }
  | { readonly kind: 'client-rejected'; readonly clientId: number; readonly reason: string }
  | { readonly kind: 'client-left'; readonly clientId: number; readonly clientCount: number }
  | { readonly kind: 'client-warning'; readonly clientId: number; readonly silentMs: number }
  | { readonly kind: 'client-lost'; readonly clientId: number; readonly reason: string }
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
export type MuxStopAction =
  | { readonly action: 'magic-close' }
  | { readonly action: 'leave-armed'; readonly reason: string };

export const INITIAL_MUX_STATE: MuxState = { clients: [], stopReason: undefined };

/** Reasons `limits` are unusable; empty when they are fine. */
export function muxLimitsViolations(limits: MuxLimits): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) problems.push(`${name} must be a positive integer, got ${value}`);
  }
  if (limits.clientWarningMs >= limits.clientTimeoutMs) {
    problems.push(`clientWarningMs ${limits.clientWarningMs} must be below clientTimeoutMs ${limits.clientTimeoutMs}`);
  }
  return problems;
}

export function clientJoined(state: MuxState, clientId: number, nowMs: number, limits: MuxLimits): MuxStep & { isAccepted: boolean } {
  assert(Number.isInteger(clientId) && clientId >= 0, `Client id must be a non-negative integer, got ${clientId}`);
  assert(!state.clients.some((client) => client.clientId === clientId), `Client ${clientId} joined twice`);
  if (state.clients.length >= limits.clientsMax) {
    const reason = `${state.clients.length} clients connected, clientsMax ${limits.clientsMax}`;
    return { state, events: [{ kind: 'client-rejected', clientId, reason }], isAccepted: false };
  }
  const client: MuxClient = { clientId, lastKeepaliveMs: nowMs, isMagicPending: false, isWarned: false };
  const clients = [...state.clients, client];
  return { state: { ...state, clients }, events: [{ kind: 'client-joined', clientId, clientCount: clients.length }], isAccepted: true };
}

/** Bytes from a client: a keepalive, unless it comes after the client's timeout. */
export function clientData(state: MuxState, input: { clientId: number; data: Uint8Array; nowMs: number }, limits: MuxLimits): MuxStep {
  const client = findClient(state, input.clientId);
  assert(input.data.length > 0, `Client ${input.clientId} sent an empty chunk`);
  const silentMs = input.nowMs - client.lastKeepaliveMs;
  assert(silentMs >= 0, `Clock went back for client ${input.clientId}: ${silentMs} ms`);
  const isMagicPending = input.data[input.data.length - 1] === MAGIC_BYTE;
  const updated: MuxClient = { clientId: client.clientId, lastKeepaliveMs: input.nowMs, isMagicPending, isWarned: false };
  const next: MuxState = { ...state, clients: state.clients.map((each) => (each === client ? updated : each)) };
  if (silentMs < limits.clientTimeoutMs) return { state: next, events: [] };
  return stopFeeding(next, client.clientId, `client ${client.clientId} kept alive only after ${silentMs} ms of silence (timeout ${limits.clientTimeoutMs} ms)`);
}

/** A client's connection closed: a clean leave after `V`, otherwise the feeding stops. */
export function clientClosed(state: MuxState, clientId: number): MuxStep {
  const client = findClient(state, clientId);
  const clients = state.clients.filter((each) => each !== client);
  assert(clients.length === state.clients.length - 1, `Client ${clientId} listed more than once`);
  const next: MuxState = { ...state, clients };
  if (client.isMagicPending) return { state: next, events: [{ kind: 'client-left', clientId, clientCount: clients.length }] };
  return stopFeeding(next, clientId, `client ${clientId} closed its connection without the magic 'V'`);
}

/** One keepalive period: warn about silent clients, stop on expired ones, say whether to feed. */
export function muxTick(state: MuxState, nowMs: number, limits: MuxLimits): MuxTick {
  assert(limits.clientWarningMs < limits.clientTimeoutMs, `clientWarningMs ${limits.clientWarningMs} must be below clientTimeoutMs ${limits.clientTimeoutMs}`);
  assert(state.clients.length <= limits.clientsMax, `${state.clients.length} clients exceed clientsMax ${limits.clientsMax}`);
  const events: MuxEvent[] = [];
  let next = state;
  const clients = state.clients.map((client) => {
    const silentMs = nowMs - client.lastKeepaliveMs;
    assert(silentMs >= 0, `Clock went back for client ${client.clientId}: ${silentMs} ms`);
    if (client.isWarned || silentMs < limits.clientWarningMs || silentMs >= limits.clientTimeoutMs) return client;
    events.push({ kind: 'client-warning', clientId: client.clientId, silentMs });
    return { ...client, isWarned: true };
  });
  next = { ...next, clients };
  for (const client of clients) {
    const silentMs = nowMs - client.lastKeepaliveMs;
    if (silentMs < limits.clientTimeoutMs) continue;
    const step = stopFeeding(next, client.clientId, `client ${client.clientId} silent for ${silentMs} ms (timeout ${limits.clientTimeoutMs} ms)`);
    next = step.state;
    events.push(...step.events);
  }
  return { state: next, events, shouldFeed: next.stopReason === undefined };
}

/** A clean stop disarms the device only when nobody is protected by it and nothing asked for a reset. */
export function muxStopAction(state: MuxState): MuxStopAction {
  assert(new Set(state.clients.map((client) => client.clientId)).size === state.clients.length, 'A client is listed twice');
  if (state.stopReason !== undefined) return { action: 'leave-armed', reason: `feeding had stopped: ${state.stopReason}` };
  if (state.clients.length > 0) {
    const ids = state.clients.map((client) => client.clientId).join(', ');
    return { action: 'leave-armed', reason: `${state.clients.length} client(s) still connected (${ids})` };
  }
  return { action: 'magic-close' };
}

function stopFeeding(state: MuxState, clientId: number, reason: string): MuxStep {
  const lost: MuxEvent = { kind: 'client-lost', clientId, reason };
  if (state.stopReason !== undefined) return { state, events: [lost] };
  return { state: { ...state, stopReason: reason }, events: [lost, { kind: 'feeding-stopped', reason }] };
}

function findClient(state: MuxState, clientId: number): MuxClient {
  const client = state.clients.find((each) => each.clientId === clientId);
  assert(client !== undefined, `Unknown client ${clientId}`);
  return client;
}
