import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The console's checks on every request (issue 13, "Security"), as pure functions of the request's
 * headers, so that each refusal is a unit test:
 * - Host must name this server when it listens on loopback: a page of another site that re-points its
 *   own name at 127.0.0.1 (DNS rebinding) sends its own name as Host and reads nothing.
 * - A state-changing request needs the token in a header (never a cookie: a browser attaches cookies
 *   to cross-site requests by itself, and headers only when the page's own script sets them), a JSON
 *   body (a cross-site form can only post form or text types), an Origin equal to the Host when the
 *   browser sends one, and a `Sec-Fetch-Site` that is not cross-site.
 * - Bound to a non-loopback address, reads need the token too.
 */
export const TOKEN_HEADER = 'x-ha-manager-token';

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface GuardConfig {
  readonly token: string;
  /** Host header values that name this server; null: any (non-loopback, where reads need the token anyway). */
  readonly allowedHosts: ReadonlySet<string> | null;
  readonly isLoopback: boolean;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly message: string };

const OK: Verdict = { ok: true };

/** The checks for GET requests (the page, static files, status, events). */
export function checkRead(headers: RequestHeaders, config: GuardConfig): Verdict {
  const host = checkHost(headers, config);
  if (!host.ok) return host;
  if (config.isLoopback) return OK;
  return checkToken(headers, config.token, 'reading the console of a non-loopback address');
}

/** The checks for a request that changes state (actions, the source's POST routes). */
export function checkWrite(headers: RequestHeaders, config: GuardConfig): Verdict {
  const host = checkHost(headers, config);
  if (!host.ok) return host;
  const token = checkToken(headers, config.token, 'a request that changes state');
  if (!token.ok) return token;
  const contentType = headerOf(headers, 'content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') return refuse(`Refused: a request that changes state must have Content-Type application/json, got ${JSON.stringify(contentType ?? '')}`);
  const fetchSite = headerOf(headers, 'sec-fetch-site');
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return refuse(`Refused: cross-site request (Sec-Fetch-Site: ${fetchSite})`);
  const origin = headerOf(headers, 'origin');
  const hostHeader = headerOf(headers, 'host');
  if (origin !== undefined && origin !== `http://${hostHeader}`) return refuse(`Refused: cross-site request (Origin ${origin} is not http://${hostHeader})`);
  return OK;
}

function checkHost(headers: RequestHeaders, config: GuardConfig): Verdict {
  const host = headerOf(headers, 'host');
  if (host === undefined) return refuse('Refused: no Host header');
  if (config.allowedHosts !== null && !config.allowedHosts.has(host.toLowerCase())) {
    return refuse(`Refused: Host ${JSON.stringify(host)} does not name this console (expected one of ${[...config.allowedHosts].join(', ')})`);
  }
  return OK;
}

function checkToken(headers: RequestHeaders, token: string, what: string): Verdict {
  const given = headerOf(headers, TOKEN_HEADER);
  if (given === undefined || given === '') return refuse(`Refused: ${what} needs the console's token in the ${TOKEN_HEADER} header`);
  return isSameSecret(given, token) ? OK : refuse(`Refused: wrong token in the ${TOKEN_HEADER} header`);
}

/** Compares digests in constant time, so that the time of a refusal says nothing about the token. */
export function isSameSecret(given: string, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** The Host values of a server listening on `host:port` (null: any, see GuardConfig). */
export function allowedHostsOf(host: string, port: number): ReadonlySet<string> | null {
  if (!isLoopbackHost(host)) return null;
  const named = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Set([named, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function headerOf(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function refuse(message: string): Verdict {
  return { ok: false, message };
}
