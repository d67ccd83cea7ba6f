import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { statusJson } from '../../src/cli/status-json.ts';
import { TOKEN_HEADER } from '../../src/web/request-guard.ts';
import { startConsoleServer, type ConsoleServer } from '../../src/web/server.ts';
import { FakeSource, sampleReport } from './fake-source.ts';

const TOKEN = 'test-token-0123456789abcdef';

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** One request with exactly the headers given (fetch would add its own Origin and Sec-Fetch-*). */
function send(server: ConsoleServer, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: server.port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type']), text }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

function postAction(server: ConsoleServer, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return send(server, { method: 'POST', path: '/api/actions', body: JSON.stringify(body), headers: { 'content-type': 'application/json', [TOKEN_HEADER]: TOKEN, ...headers } });
}

/** Reads SSE frames from /api/events until `count` have come. */
function readFrames(server: ConsoleServer, count: number, headers: Record<string, string> = {}): Promise<Array<{ event: string; data: unknown }>> {
  return new Promise((resolve, reject) => {
    const frames: Array<{ event: string; data: unknown }> = [];
    const outgoing = request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers }, (response) => {
      let buffer = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const [eventLine, dataLine] = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          frames.push({ event: eventLine!.slice('event: '.length), data: JSON.parse(dataLine!.slice('data: '.length)) });
        }
        if (frames.length >= count) {
          outgoing.destroy();
          resolve(frames.slice(0, count));
        }
      });
    });
    outgoing.on('error', (error) => (frames.length >= count ? undefined : reject(error)));
    outgoing.end();
  });
}

describe('web: the console server (real HTTP on loopback, a fake source)', () => {
  let source: FakeSource;
  let server: ConsoleServer;
  beforeEach(async () => {
    source = new FakeSource(sampleReport());
    server = await startConsoleServer({ source, listen: { host: '127.0.0.1', port: 0 }, token: TOKEN, tickMs: 60_000, debounceMs: 5 });
  });
  afterEach(() => server.close());

  it('GET /api/status is the JSON of status --output-format json, byte for byte', async () => {
    const answer = await send(server, { path: '/api/status' });
    assert.equal(answer.status, 200);
    assert.match(answer.contentType, /^application\/json/);
    assert.equal(answer.text, statusJson(source.report));
  });

  it('serves the page with a script policy, and nothing outside static/', async () => {
    const page = await send(server, { path: '/' });
    assert.equal(page.status, 200);
    assert.match(page.text, /<script type="module" src="\/static\/console.js">/);
    assert.equal((await send(server, { path: '/static/console.js' })).status, 200);
    assert.equal((await send(server, { path: '/static/../server.ts' })).status, 404);
    assert.equal((await send(server, { path: '/static/%2e%2e%2fserver.ts' })).status, 404);
  });

  it('an action with the token is handed to the source with who asked; the answer is its result', async () => {
    const answer = await postAction(server, { kind: 'migrate', sid: 'vm:100', node: 'node2' });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.text), { kind: 'done', message: 'queued migrate', warning: null });
    assert.deepEqual(source.acted, [{ action: { kind: 'migrate', sid: 'vm:100', node: 'node2' }, actor: 'web@127.0.0.1' }]);
    assert.equal((await postAction(server, { kind: 'arm' })).status, 409, 'a refusal of the source is 409 with its message');
  });

  it('refuses without the token, cross-site, or as a form: 403, one line, the source untouched', async () => {
    const refusals = [
      await postAction(server, { kind: 'arm' }, { [TOKEN_HEADER]: '' }),
      await postAction(server, { kind: 'arm' }, { [TOKEN_HEADER]: 'wrong-token-0123456789' }),
      await postAction(server, { kind: 'arm' }, { origin: 'http://evil.example' }),
      await postAction(server, { kind: 'arm' }, { 'sec-fetch-site': 'cross-site' }),
      await postAction(server, { kind: 'arm' }, { 'content-type': 'text/plain' }),
      await postAction(server, { kind: 'arm' }, { host: 'evil.example' }),
    ];
    for (const answer of refusals) {
      assert.equal(answer.status, 403, answer.text);
      assert.match(answer.text, /^Refused: [^\n]+\n$/);
    }
    assert.deepEqual(source.acted, []);
  });

  it('a malformed action is 400 with its problem and never reaches the source', async () => {
    const answer = await postAction(server, { kind: 'migrate', sid: 'vm:100' });
    assert.equal(answer.status, 400);
    assert.equal(answer.text, 'Bad action migrate: "node" is missing or empty\n');
    assert.deepEqual(source.acted, []);
  });

  it('events: a snapshot first, then on a change only the patch and the new events', async () => {
    const frames = readFrames(server, 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const moved = sampleReport({ services: [{ ...source.report.services[0]!, node: 'node2' }] });
    source.change({ report: moved, event: { wallMs: 1, node: 'node1', sid: 'vm:100', kind: 'migration', text: "node1/crm: service 'vm:100': state changed" } });
    const [snapshot, events, patch] = await frames;
    assert.equal(snapshot!.event, 'snapshot');
    assert.deepEqual((snapshot!.data as { status: unknown }).status, JSON.parse(statusJson(sampleReport())));
    assert.equal(events!.event, 'events');
    assert.deepEqual(patch, { event: 'patch', data: { wallMs: moved.wallMs, services: { upsert: [['vm:100', JSON.parse(JSON.stringify(moved.services[0]))]], remove: [] } } });
  });
});

describe('web: the console server on a non-loopback address', () => {
  it('reads need the token too', async () => {
    const server = await startConsoleServer({ source: new FakeSource(sampleReport()), listen: { host: '0.0.0.0', port: 0 }, token: TOKEN, tickMs: 60_000 });
    try {
      const refused = await send(server, { path: '/api/status', headers: { host: 'node1:8006' } });
      assert.equal(refused.status, 403);
      assert.match(refused.text, /reading the console of a non-loopback address needs the console's token/);
      assert.equal((await send(server, { path: '/', headers: { host: 'node1:8006' } })).status, 403);
      assert.equal((await send(server, { path: '/api/status', headers: { host: 'node1:8006', [TOKEN_HEADER]: TOKEN } })).status, 200);
    } finally {
      await server.close();
    }
  });
});
