import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { statusJson } from '../cli/status-json.ts';
import { ConsoleHub } from './console-hub.ts';
import { parseConsoleAction } from './console-action.ts';
import type { ConsoleRoute, ConsoleSource } from './console-source.ts';
import { allowedHostsOf, checkRead, checkWrite, isLoopbackHost, type GuardConfig } from './request-guard.ts';

/**
 * The web console's server (issue 13) on node:http: a dozen routes need no framework. It owns HTTP,
 * the token and cross-site checks (./request-guard.ts), the diffs and pushes (./console-hub.ts); the
 * source owns reading the cluster and acting on it.
 *
 *   GET  /                 the page            GET  /api/status   `status --output-format json`
 *   GET  /static/<file>    its scripts, styles GET  /api/events   Server-Sent Events: snapshot, then patches
 *   POST /api/actions      a ConsoleAction     and the source's own routes (ConsoleRoute)
 */
export interface ConsoleServerOptions {
  readonly source: ConsoleSource;
  readonly routes?: readonly ConsoleRoute[];
  /** Default 127.0.0.1:8006 (the command's default): loopback, so that reads need no token. Port 0: any free port. */
  readonly listen: { readonly host: string; readonly port: number };
  readonly token: string;
  /** How often ages are re-read without a change (default 1 s: ages are shown in seconds). */
  readonly tickMs?: number;
  /** Change notices coalesced into one read (default 50 ms: a round writes several files at once). */
  readonly debounceMs?: number;
}

export interface ConsoleServer {
  readonly url: string;
  readonly port: number;
  readonly hub: ConsoleHub;
  close(): Promise<void>;
}

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 8006 } as const;
/** An action is a few fields; anything longer is not one. */
const BODY_BYTES_MAX = 64 * 1024;
const STATIC_DIR = fileURLToPath(new URL('../../src/web/static/', import.meta.url));
const STATIC_FILE = /^\/static\/([a-z0-9-]+\.(js|css|png|svg))$/;
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  png: 'image/png',
  svg: 'image/svg+xml',
};
/** The page runs only its own scripts and styles, talks only to its own server, and is never framed. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const hub = new ConsoleHub({ source: options.source, tickMs: options.tickMs ?? 1000, debounceMs: options.debounceMs ?? 50 });
  const guard: { config: GuardConfig } = { config: { token: options.token, allowedHosts: null, isLoopback: isLoopbackHost(options.listen.host) } };
  const server = createServer((request, response) => {
    handle({ request, response, options, hub, guard: guard.config }).catch((error: unknown) => answer(response, 500, `Console error: ${(error as Error).message}`));
  });
  try {
    await listen(server, options.listen);
  } catch (error) {
    hub.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  guard.config = { ...guard.config, allowedHosts: allowedHostsOf(options.listen.host, port) };
  const host = options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    hub,
    close: () => {
      hub.close();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, at: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly options: ConsoleServerOptions;
  readonly hub: ConsoleHub;
  readonly guard: GuardConfig;
}

async function handle(exchange: Exchange): Promise<void> {
  const { request, response, options, hub, guard } = exchange;
  const path = new URL(request.url ?? '/', 'http://console').pathname;
  const route = options.routes?.find((candidate) => candidate.path === path && candidate.method === request.method);
  if (request.method === 'POST') {
    const verdict = checkWrite(request.headers, guard);
    if (!verdict.ok) return answer(response, 403, verdict.message);
    if (path === '/api/actions') return act(exchange);
    if (route === undefined) return answer(response, 404, `No POST route ${path}`);
    const body = await readJson(request);
    if (!body.ok) return answer(response, 400, body.problem);
    const result = route.handle(body.value, actorOf(request));
    hub.schedule();
    return answerJson(response, result.status, result.body);
  }
  if (request.method !== 'GET') return answer(response, 405, `Method ${request.method} is not served: GET or POST`);
  const verdict = checkRead(request.headers, guard);
  if (!verdict.ok) return answer(response, 403, verdict.message);
  if (path === '/' || path === '/index.html') return serveStatic(response, 'index.html');
  const file = STATIC_FILE.exec(path);
  if (file !== null) return serveStatic(response, file[1]!);
  if (path === '/api/status') return answerText(response, 200, statusJson(options.source.status()), 'application/json; charset=utf-8');
  if (path === '/api/events') {
    if (!hub.addClient(response)) answer(response, 503, 'Too many console pages are open; close one and reload');
    return;
  }
  if (route !== undefined) return answerJson(response, 200, route.handle(undefined, actorOf(request)).body);
  return answer(response, 404, `Nothing at ${path}`);
}

async function act(exchange: Exchange): Promise<void> {
  const { request, response, options, hub } = exchange;
  const body = await readJson(request);
  if (!body.ok) return answer(response, 400, body.problem);
  const parsed = parseConsoleAction(body.value);
  if (!parsed.ok) return answer(response, 400, parsed.problem);
  const result = options.source.act(parsed.action, actorOf(request));
  hub.schedule();
  return answerJson(response, result.kind === 'done' ? 200 : 409, result);
}

/**
 * Who asked, for the journal: the console has one token, not accounts, so the caller's address is
 * what is known. Spelled as an operator name (src/crm/crm-command.ts checkOperator: one word).
 */
export function actorOf(request: IncomingMessage): string {
  const address = (request.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
  return `web@${address.replace(/[^A-Za-z0-9_.-]/g, '-')}`;
}

async function readJson(request: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; problem: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_BYTES_MAX) return { ok: false, problem: `Request body over ${BODY_BYTES_MAX} bytes` };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch (error) {
    return { ok: false, problem: `Request body is not JSON: ${(error as Error).message}` };
  }
}

function serveStatic(response: ServerResponse, name: string): void {
  let content: Buffer;
  try {
    content = readFileSync(`${STATIC_DIR}${name}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return answer(response, 404, `No file ${name}`);
    throw error;
  }
  response.writeHead(200, { ...PAGE_HEADERS, 'content-type': CONTENT_TYPES[name.split('.').pop()!] ?? 'application/octet-stream' });
  response.end(content);
}

function answerJson(response: ServerResponse, status: number, body: unknown): void {
  answerText(response, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8');
}

function answerText(response: ServerResponse, status: number, text: string, contentType: string): void {
  response.writeHead(status, { ...PAGE_HEADERS, 'content-type': contentType });
  response.end(text);
}

/** A refusal or error: one plain line. */
function answer(response: ServerResponse, status: number, line: string): void {
  if (response.headersSent) return void response.end();
  answerText(response, status, `${line}\n`, 'text/plain; charset=utf-8');
}
