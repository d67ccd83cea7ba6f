/**
 * The multiplexer's wire protocol, version 2, pure: what a client sends first (one hello line), what
 * the mux answers (one reply line), and the bytes that follow. The mux shell (../watchdog-mux.ts),
 * the client (../watchdog-client.ts) and the simulator's watchdogs (src/sim/sim-watchdogs.ts) all
 * speak it through these functions, so nobody writes the format twice.
 *
 * - Hello, client → mux: `{"v":2,"daemon":"lrm","timeoutMs":60000,"pid":1234,"claim":true}` + `\n`.
 *   `daemon` names the registration (`crm`, `lrm`, or another `[a-z-]+`), `timeoutMs` is the client's
 *   own watchdog timeout (from ha.cfg), `claim` asks to take over a registration of the same daemon
 *   that a previous process left armed (only the LRM claims, once, at start).
 * - Reply, mux → client: `{"v":2,"accepted":true,"claimed":false,"deviceTimeoutMs":10000,
 *   "clientTimeoutMsMax":300000}` (with `"keepaliveAgeMs"` when claimed), or
 *   `{"v":2,"accepted":false,"reason":"..."}`, after which the mux closes the connection. A client
 *   that gets a reply of another version fails loudly: the two ends must be upgraded together.
 * - Then single bytes: `k` keepalive, `V` as the last byte before the close: a clean leave, `H` as the
 *   last byte before the close: a planned hand-over to the next process of the daemon.
 */

export const MUX_PROTOCOL_VERSION = 2;
/** A keepalive: arms an unarmed registration, moves the deadline of an armed one. */
export const KEEPALIVE_BYTE = 0x6b; // 'k'
/** The magic byte: written last before a close, it makes the close a clean leave. */
export const MAGIC_BYTE = 0x56; // 'V'
/** Written last before a close: the registration stays, armed, for the next process to claim. */
export const HAND_OVER_BYTE = 0x48; // 'H'
/** A hello or reply line longer than this is garbage: real ones are about 100 bytes. */
export const LINE_BYTES_MAX = 512;
/** Daemon names: short lowercase words (`crm`, `lrm`); a registration is keyed by it. */
const DAEMON_PATTERN = /^[a-z][a-z-]*$/;
const DAEMON_LENGTH_MAX = 32;

export interface Hello {
  readonly daemon: string;
  /** The client's watchdog timeout: silent longer than this, it has the node reset. */
  readonly timeoutMs: number;
  readonly pid: number;
  /** Take over a registration of this daemon that a previous process left armed. */
  readonly isClaiming: boolean;
}

export interface HelloAccepted {
  readonly v: typeof MUX_PROTOCOL_VERSION;
  readonly accepted: true;
  readonly claimed: boolean;
  /** When claimed: how long ago the claimed registration's last keepalive arrived. */
  readonly keepaliveAgeMs?: number;
  /** The device's actual timeout: the mux stopping its keepalives resets the node this much later. */
  readonly deviceTimeoutMs: number;
  /** The longest client timeout this mux accepts. */
  readonly clientTimeoutMsMax: number;
}

export interface HelloRefused {
  readonly v: typeof MUX_PROTOCOL_VERSION;
  readonly accepted: false;
  readonly reason: string;
}

export type HelloReply = HelloAccepted | HelloRefused;

/** A line that could not be read, and why. */
export interface LineProblem {
  readonly problem: string;
}

export function isLineProblem(value: object): value is LineProblem {
  return 'problem' in value;
}

export function helloLine(hello: Hello): string {
  return `${JSON.stringify({ v: MUX_PROTOCOL_VERSION, daemon: hello.daemon, timeoutMs: hello.timeoutMs, pid: hello.pid, claim: hello.isClaiming })}\n`;
}

export function replyLine(reply: HelloReply): string {
  return `${JSON.stringify(reply)}\n`;
}

/** Reads a hello line (without its `\n`); a problem names the field and the value. */
export function parseHello(line: string): Hello | LineProblem {
  const object = parseObject(line, 'hello');
  if (isLineProblem(object)) return object;
  const { daemon, timeoutMs, pid, claim } = object;
  if (typeof daemon !== 'string' || !DAEMON_PATTERN.test(daemon) || daemon.length > DAEMON_LENGTH_MAX) {
    return { problem: `hello: daemon must match ${DAEMON_PATTERN} (at most ${DAEMON_LENGTH_MAX} characters), got ${JSON.stringify(daemon)}` };
  }
  if (!isPositiveInteger(timeoutMs)) return { problem: `hello: timeoutMs must be a positive integer, got ${JSON.stringify(timeoutMs)}` };
  if (!isPositiveInteger(pid)) return { problem: `hello: pid must be a positive integer, got ${JSON.stringify(pid)}` };
  if (typeof claim !== 'boolean') return { problem: `hello: claim must be true or false, got ${JSON.stringify(claim)}` };
  return { daemon, timeoutMs, pid, isClaiming: claim };
}

/** Reads a reply line (without its `\n`). */
export function parseReply(line: string): HelloReply | LineProblem {
  const object = parseObject(line, 'reply');
  if (isLineProblem(object)) return object;
  if (object.accepted === false) {
    return typeof object.reason === 'string' ? { v: MUX_PROTOCOL_VERSION, accepted: false, reason: object.reason } : { problem: 'reply: a refusal without a reason' };
  }
  const { claimed, keepaliveAgeMs, deviceTimeoutMs, clientTimeoutMsMax } = object;
  if (object.accepted !== true || typeof claimed !== 'boolean') return { problem: `reply: accepted and claimed must be true or false, got ${line.slice(0, 100)}` };
  if (!isPositiveInteger(deviceTimeoutMs) || !isPositiveInteger(clientTimeoutMsMax)) {
    return { problem: `reply: deviceTimeoutMs and clientTimeoutMsMax must be positive integers, got ${line.slice(0, 100)}` };
  }
  if (!claimed) return { v: MUX_PROTOCOL_VERSION, accepted: true, claimed, deviceTimeoutMs, clientTimeoutMsMax };
  if (!Number.isSafeInteger(keepaliveAgeMs) || (keepaliveAgeMs as number) < 0) return { problem: `reply: keepaliveAgeMs must be a non-negative integer, got ${JSON.stringify(keepaliveAgeMs)}` };
  return { v: MUX_PROTOCOL_VERSION, accepted: true, claimed, keepaliveAgeMs: keepaliveAgeMs as number, deviceTimeoutMs, clientTimeoutMsMax };
}

function parseObject(line: string, what: 'hello' | 'reply'): Record<string, unknown> | LineProblem {
  if (line.length > LINE_BYTES_MAX) return { problem: `${what}: line of ${line.length} bytes, limit ${LINE_BYTES_MAX}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { problem: `${what}: not JSON: ${JSON.stringify(line.slice(0, 60))} (a client of protocol v1 sends bytes only)` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: `${what}: not a JSON object` };
  const object = parsed as Record<string, unknown>;
  if (object.v !== MUX_PROTOCOL_VERSION) return { problem: `${what}: protocol version ${JSON.stringify(object.v)}, this end speaks ${MUX_PROTOCOL_VERSION}` };
  return object;
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}
