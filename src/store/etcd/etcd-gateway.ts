import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { assert } from '../../common/assert.ts';

/**
 * A client of etcd's v3 JSON gateway, with no etcd client library (DESIGN.md "The etcd store"):
 * POSTs of JSON over node:http/node:https with keep-alive.
 *
 * Why node:http(s) and not the global fetch: Node 20's fetch takes no client certificate without
 * undici's own `Agent` as a dispatcher, and undici is not a package of ours (Node bundles it but does
 * not export it). node:https takes CA, certificate and key on an Agent, the same code serves http, and
 * its `destroy()` ends a hung request at once — which is what a deadline needs.
 *
 * Every call has one deadline (`callTimeoutMs`, 2.5 s by default: below etcd's own 7 s, so a
 * request stuck behind a dead leader is abandoned while the new leader is being elected) and carries
 * `Grpc-Metadata-hasleader: true`, so that a member without a leader answers 503 at once instead of
 * hanging. An attempt gets at most half the deadline; on a timeout, a refused or reset connection or
 * any 5xx the call rotates to the next endpoint, and the next call starts there. A failure is a value
 * (`GatewayFailure`), never a throw.
 */
export interface EtcdConnectionOptions {
  /** `http://host:port` or `https://host:port`, client URLs of the members. */
  readonly endpoints: readonly string[];
  readonly callTimeoutMs?: number;
  /** PEM files; `certFile`/`keyFile` for a client certificate (etcd `--client-cert-auth`). */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /**
   * etcd user/password auth: a token from `/v3/auth/authenticate`, renewed when etcd refuses it. etcd
   * 3.4 refuses a password login through its gateway from a client that presents a certificate to a
   * cluster with --client-cert-auth (400 "CommonName of client ... will be ignored"): use one or the other.
   */
  readonly auth?: { readonly user: string; readonly password: string };
}

/** etcd's own request timeout is 7 s; ours ends before it, and before a round is lost waiting. */
export const ETCD_CALL_TIMEOUT_MS_DEFAULT = 2_500;
/** Endpoints a client rotates through; a cluster has 3 or 5 members, 9 would be unusual. */
const ENDPOINTS_MAX = 9;
/** Answers larger than this are refused: etcd's values are at most 1.5 MiB, our pages a few of them. */
const ANSWER_BYTES_MAX = 16 * 1024 * 1024;

export type GatewayAnswer = { readonly kind: 'ok'; readonly json: Record<string, unknown> } | GatewayFailure;

export interface GatewayFailure {
  readonly kind: 'unavailable';
  /** One line: what failed where, e.g. `etcd http://127.0.0.1:2379: 503 etcdserver: no leader`. */
  readonly message: string;
}

type Attempt = GatewayAnswer | { readonly kind: 'rotate'; readonly message: string } | { readonly kind: 'unauthenticated'; readonly message: string };

export class EtcdGateway {
  readonly endpoints: readonly string[];
  readonly callTimeoutMs: number;
  private readonly agent: http.Agent;
  private readonly auth: EtcdConnectionOptions['auth'];
  private current = 0;
  private token: string | undefined;

  constructor(options: EtcdConnectionOptions) {
    assert(options.endpoints.length > 0 && options.endpoints.length <= ENDPOINTS_MAX, `etcd needs 1 to ${ENDPOINTS_MAX} endpoints, got ${options.endpoints.length}`);
    for (const endpoint of options.endpoints) assert(/^https?:\/\/[^/]+\/?$/.test(endpoint), `Bad etcd endpoint '${endpoint}': expected http(s)://host:port`);
    this.endpoints = options.endpoints.map((endpoint) => endpoint.replace(/\/$/, ''));
    this.callTimeoutMs = options.callTimeoutMs ?? ETCD_CALL_TIMEOUT_MS_DEFAULT;
    this.auth = options.auth;
    const isTls = this.endpoints.some((endpoint) => endpoint.startsWith('https:'));
    this.agent = isTls ? new https.Agent({ keepAlive: true, ...readTls(options.tls) }) : new http.Agent({ keepAlive: true });
  }

  /** POSTs `body` to `path` (e.g. `/v3/kv/txn`) within the call's deadline, rotating endpoints. */
  async post(path: string, body: Record<string, unknown>, timeoutMs = this.callTimeoutMs): Promise<GatewayAnswer> {
    const deadlineMs = Date.now() + timeoutMs;
    const problems: string[] = [];
    let isReauthenticated = false;
    // At most two rounds over the endpoints: one call never loops for longer than its deadline anyway.
    for (let attempt = 0; attempt < 2 * this.endpoints.length + 1; attempt++) {
      const remainingMs = deadlineMs - Date.now();
      if (remainingMs <= 0) break;
      if (this.auth && this.token === undefined) {
        const authenticated = await this.authenticate(deadlineMs);
        if (authenticated.kind !== 'ok') return authenticated;
      }
      const endpoint = this.endpoints[this.current]!;
      const answer = await this.attempt(endpoint, path, body, Math.max(1, Math.min(remainingMs, Math.ceil(timeoutMs / 2))));
      if (answer.kind === 'ok') return answer;
      problems.push(answer.message);
      if (answer.kind === 'unavailable') return answer;
      if (answer.kind === 'unauthenticated' && this.auth && !isReauthenticated) {
        isReauthenticated = true;
        this.token = undefined;
        continue;
      }
      if (answer.kind === 'unauthenticated') return { kind: 'unavailable', message: answer.message };
      this.current = (this.current + 1) % this.endpoints.length;
    }
    const why = Date.now() >= deadlineMs ? `no answer within ${timeoutMs} ms` : `no endpoint answered`;
    return { kind: 'unavailable', message: `etcd: ${why} (${problems.slice(-3).join('; ') || 'no attempt'})` };
  }

  /** Opens a long-lived POST (the watch); the answer's headers must come within the call deadline. */
  async stream(path: string, body: Record<string, unknown>): Promise<{ readonly kind: 'ok'; readonly response: http.IncomingMessage; readonly request: http.ClientRequest } | GatewayFailure> {
    if (this.auth && this.token === undefined) {
      const authenticated = await this.authenticate(Date.now() + this.callTimeoutMs);
      if (authenticated.kind !== 'ok') return authenticated;
    }
    const endpoint = this.endpoints[this.current]!;
    this.current = (this.current + 1) % this.endpoints.length; // The next watch (a resumption) tries another member.
    return new Promise((resolve) => {
      const request = this.request(endpoint, path, body);
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.callTimeoutMs} ms`)), this.callTimeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        resolve({ kind: 'unavailable', message: `etcd ${endpoint}${path}: ${error.message}` });
      });
      request.on('response', (response) => {
        clearTimeout(timer);
        if (response.statusCode === 200) return resolve({ kind: 'ok', response, request });
        response.resume();
        request.destroy();
        resolve({ kind: 'unavailable', message: `etcd ${endpoint}${path}: HTTP ${response.statusCode}` });
      });
      request.end(JSON.stringify(body));
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private request(endpoint: string, path: string, body: Record<string, unknown>): http.ClientRequest {
    const url = new URL(path, endpoint);
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(JSON.stringify(body)),
      'grpc-metadata-hasleader': 'true',
      ...(this.token !== undefined ? { authorization: this.token } : {}),
    };
    const options = { method: 'POST', agent: this.agent, headers };
    return url.protocol === 'https:' ? https.request(url, options) : http.request(url, options);
  }

  private attempt(endpoint: string, path: string, body: Record<string, unknown>, timeoutMs: number): Promise<Attempt> {
    return new Promise((resolve) => {
      const where = `etcd ${endpoint}${path}`;
      const request = this.request(endpoint, path, body);
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const settle = (attempt: Attempt) => {
        clearTimeout(timer);
        resolve(attempt);
      };
      request.on('error', (error) => settle({ kind: 'rotate', message: `${where}: ${error.message}` }));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > ANSWER_BYTES_MAX) request.destroy(new Error(`answer over ${ANSWER_BYTES_MAX} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', (error) => settle({ kind: 'rotate', message: `${where}: ${error.message}` }));
        response.on('end', () => settle(classify(where, response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      });
      request.end(JSON.stringify(body));
    });
  }

  private async authenticate(deadlineMs: number): Promise<GatewayAnswer> {
    const auth = this.auth!;
    const saved = this.token;
    this.token = undefined;
    for (let attempt = 0; attempt < this.endpoints.length && Date.now() < deadlineMs; attempt++) {
      const endpoint = this.endpoints[this.current]!;
      const answer = await this.attempt(endpoint, '/v3/auth/authenticate', { name: auth.user, password: auth.password }, Math.max(1, deadlineMs - Date.now()));
      if (answer.kind === 'ok' && typeof answer.json.token === 'string') {
        this.token = answer.json.token;
        return answer;
      }
      if (answer.kind !== 'rotate') return { kind: 'unavailable', message: `etcd: authentication as '${auth.user}' failed: ${answer.kind === 'ok' ? 'no token' : answer.message}` };
      this.current = (this.current + 1) % this.endpoints.length;
    }
    this.token = saved;
    return { kind: 'unavailable', message: `etcd: could not authenticate as '${auth.user}' in time` };
  }
}

function classify(where: string, status: number, text: string): Attempt {
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  const detail = typeof json?.error === 'string' ? json.error : typeof json?.message === 'string' ? json.message : text.slice(0, 200);
  if (status === 200 && json) return { kind: 'ok', json };
  if (status === 401 || /invalid auth token|user name is empty/.test(detail)) return { kind: 'unauthenticated', message: `${where}: ${status} ${detail}` };
  if (status >= 500 || status === 0 || status === 200) return { kind: 'rotate', message: `${where}: ${status} ${detail}` };
  return { kind: 'unavailable', message: `${where}: ${status} ${detail}` };
}

function readTls(tls: EtcdConnectionOptions['tls']): https.AgentOptions {
  if (!tls) return {};
  const read = (file: string | undefined) => (file === undefined ? undefined : readFileSync(file));
  const ca = read(tls.caFile);
  const cert = read(tls.certFile);
  const key = read(tls.keyFile);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
