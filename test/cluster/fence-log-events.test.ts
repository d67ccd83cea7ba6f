import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FenceLogReader, fenceEventOf } from '../../src/cluster/fence-log-events.ts';
import { createLogSink } from '../../src/common/log-sink.ts';
import type { TraceBody } from '../../src/common/trace.ts';
import type { FenceConfig } from '../../src/fence/fence-config.ts';
import { FenceJobs } from '../../src/fence/fence-jobs.ts';
import type { FenceRunner } from '../../src/fence/fence-runner.ts';

const T0 = 1_796_602_868_000;

/** Lines as a daemon's JSON log sink writes them (the real sink, so a change of format shows here). */
function jsonLines(node: string, daemon: string, events: ReadonlyArray<{ t: number; body: TraceBody }>): string {
  let text = '';
  const sink = createLogSink({ format: 'json', node, daemon, isJournal: false, write: (line) => (text += line), wallMs: () => T0 });
  for (const { t, body } of events) sink.event({ t, node, ...body });
  return text;
}

/** The proxy's own lines for one fence job (the real FenceJobs, with a runner that succeeds or fails at once). */
async function proxyLines(node: string, t: number, outcome: { ok: boolean; reason?: string }): Promise<string> {
  const config: FenceConfig = {
    devices: [{ id: 'ipmi', name: 'ipmi', agent: 'fence_ipmilan', options: {}, line: 1 }],
    connects: [{ deviceId: 'ipmi', node: 'node1', options: {}, line: 2 }],
    nodes: {},
    proxyOrder: [],
  };
  const runner = { runLevel: async () => ({ level: 'ipmi', calls: [], ...outcome }) } as unknown as FenceRunner;
  const said: Array<{ t: number; body: TraceBody }> = [];
  const jobs = new FenceJobs({ fenceConfig: () => config, runner, log: (level, msg) => said.push({ t: t + said.length * 1000, body: { ev: 'log', level, msg } }), onFinished: () => {} });
  jobs.start({ uid: 'u1', target: 'node1', action: 'off', level: 0 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(jobs.take().length, 1);
  return jsonLines(node, 'lrm', said);
}

describe('cluster/fence-log-events: the fence events of the daemons\' JSON logs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-fence-log-'));
    for (const node of ['node2', 'node3']) mkdirSync(join(dir, node));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the master\'s node states, request, result and proof and the proxy\'s job, each at the time it was logged', async () => {
    const master = jsonLines('node3', 'crm', [
      { t: T0 + 50, body: { ev: 'node-state', target: 'node1', from: 'online', to: 'unknown' } },
      { t: T0 + 60, body: { ev: 'node-state', target: 'node2', from: 'online', to: 'unknown' } },
      { t: T0 + 100, body: { ev: 'fence-request', target: 'node1', action: 'off', level: 0, proxy: 'node2' } },
      { t: T0 + 200, body: { ev: 'fence-request', target: 'node9', action: 'off', level: 0, proxy: 'node2' } },
      { t: T0 + 5000, body: { ev: 'fence-result', target: 'node1', action: 'off', level: 0, proxy: 'node2', result: 'ok' } },
      { t: T0 + 5001, body: { ev: 'fence-ack', target: 'node1', proof: 'agent' } },
      { t: T0 + 5002, body: { ev: 'lock', lock: 'agent.node1' } },
    ]);
    appendFileSync(join(dir, 'node3', 'crm.log'), master);
    appendFileSync(join(dir, 'node2', 'lrm.log'), await proxyLines('node2', T0 + 400, { ok: true }));
    const reader = new FenceLogReader((node) => join(dir, node), ['node2', 'node3']);
    const events = reader.read('node1').map((keyed) => keyed.event).sort((a, b) => a.wallMs - b.wallMs);
    assert.deepEqual(events, [
      { kind: 'node-view', wallMs: T0 + 50, master: 'node3', node: 'node1', from: 'online', to: 'unknown' },
      { kind: 'fence-request', wallMs: T0 + 100, master: 'node3', target: 'node1', action: 'off', level: 0, proxy: 'node2' },
      { kind: 'fence-job', wallMs: T0 + 400, proxy: 'node2', target: 'node1', action: 'off', level: 0, outcome: 'started' },
      { kind: 'fence-job', wallMs: T0 + 1400, proxy: 'node2', target: 'node1', action: 'off', level: 0, outcome: 'succeeded' },
      { kind: 'fence-result', wallMs: T0 + 5000, master: 'node3', target: 'node1', action: 'off', level: 0, proxy: 'node2', isOk: true },
      { kind: 'fence-proof', wallMs: T0 + 5001, master: 'node3', target: 'node1', proof: 'agent' },
    ]);
    assert.deepEqual(reader.read('node1'), [], 'each line is read once');
  });

  it('reads only whole lines: a line being written is read when it is complete', () => {
    const line = jsonLines('node3', 'crm', [{ t: T0, body: { ev: 'fence-ack', target: 'node1', proof: 'reset' } }]);
    const file = join(dir, 'node3', 'crm.log');
    appendFileSync(file, line.slice(0, 20));
    const reader = new FenceLogReader((node) => join(dir, node), ['node2', 'node3']);
    assert.deepEqual(reader.read('node1'), []);
    appendFileSync(file, line.slice(20));
    assert.deepEqual(reader.read('node1').map((keyed) => keyed.event.kind), ['fence-proof']);
  });

  it('keeps a failed job\'s reason, and skips lines that are no JSON', async () => {
    const [started, failed] = (await proxyLines('node2', T0, { ok: false, reason: 'device \'ipmi\': exit 1: Failed: Unable to obtain correct plug status' })).trim().split('\n');
    assert.equal(fenceEventOf(started!, 'node1')?.kind, 'fence-job');
    const event = fenceEventOf(failed!, 'node1');
    assert.ok(event?.kind === 'fence-job' && event.outcome === 'failed');
    assert.match(event.reason ?? '', /Unable to obtain correct plug status/);
    assert.equal(fenceEventOf('    at Object.<anonymous> (file.ts:1:1)', 'node1'), undefined);
    assert.equal(fenceEventOf(failed!, 'node2'), undefined, 'another target');
  });
});
