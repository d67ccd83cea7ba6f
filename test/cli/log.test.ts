import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceBody } from '../../src/common/trace.ts';
import { NodeJournal } from '../../src/env/node-journal.ts';
import { BIN, freshDir, runCli } from './run-cli.ts';

const HOUR_MS = 3_600_000;

/** Writes real journals as the daemons do: one NodeJournal per daemon, flushed. */
function writeJournal(dir: string, daemon: 'crm' | 'lrm', node: string, rows: Array<{ wallMs: number; event?: TraceBody; blackbox?: [string, string] }>): void {
  const journal = new NodeJournal(join(dir, `${daemon}.db`));
  for (const row of rows) {
    if (row.event) journal.recordEvent(row.wallMs, 0, { t: row.wallMs, node, ...row.event });
    if (row.blackbox) journal.record({ wallMs: row.wallMs, monoMs: 0, kind: row.blackbox[0] as 'start', detail: row.blackbox[1] });
  }
  journal.close();
}

function nodeJournals(dir: string, node: string, baseMs: number): void {
  writeJournal(dir, 'crm', node, [
    { wallMs: baseMs - 2 * HOUR_MS, blackbox: ['start', 'pid 10 boot b1'] },
    { wallMs: baseMs + 10, event: { ev: 'lock', lock: 'manager' } },
    { wallMs: baseMs + 11, blackbox: ['renew', 'manager renewed in 3 ms'] },
    { wallMs: baseMs + 30, event: { ev: 'service-state', sid: 'vm:100', from: 'started', to: 'fence', on: 'node2', target: null } },
  ]);
  writeJournal(dir, 'lrm', node, [
    { wallMs: baseMs + 20, event: { ev: 'lrm-state', from: 'wait_for_agent_lock', to: 'active' } },
    { wallMs: baseMs + 21, blackbox: ['keepalive', ''] },
    { wallMs: baseMs + 40, event: { ev: 'service-action', sid: 'vm:101', action: 'start', result: 'ok' } },
  ]);
}

/** The lines without their time stamps. */
function withoutTime(stdout: string): string[] {
  return stdout.trimEnd().split('\n').map((line) => line.replace(/^\S+Z /, ''));
}

describe('ha-manager log: a node journal in the daemons\' words', function () {
  this.timeout(120_000);
  let root: string;
  const baseMs = Date.now() - 60_000;
  beforeEach(() => {
    root = freshDir('ha-log-');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('merges the crm and lrm journals by time: events and black box, routine rows only with --all', async () => {
    const state = join(root, 'state');
    nodeJournals(state, 'node1', baseMs);
    const result = await runCli(['log', '--state-dir', state]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(withoutTime(result.stdout), [
      'info   node1/crm: daemon started (pid 10 boot b1)',
      "info   node1/crm: got lock 'ha_manager_lock'",
      'info   node1/lrm: status change wait_for_agent_lock => active',
      "info   node1/crm: service 'vm:100': state changed from 'started' to 'fence'  (node = node2)",
      'info   node1/lrm: service status vm:101 started',
    ]);
    const all = await runCli(['log', '--state-dir', state, '--all', '--lines', '5']);
    assert.deepEqual(withoutTime(all.stdout), [
      'info   node1/crm: lease renewed: manager renewed in 3 ms',
      'info   node1/lrm: status change wait_for_agent_lock => active',
      'info   node1/lrm: watchdog keepalive',
      "info   node1/crm: service 'vm:100': state changed from 'started' to 'fence'  (node = node2)",
      'info   node1/lrm: service status vm:101 started',
    ]);
  });

  it('--since, --lines and --output-format json', async () => {
    const state = join(root, 'state');
    nodeJournals(state, 'node1', baseMs);
    const since = await runCli(['log', '--state-dir', state, '--since', '1h', '--lines', '2']);
    assert.deepEqual(withoutTime(since.stdout), ["info   node1/crm: service 'vm:100': state changed from 'started' to 'fence'  (node = node2)", 'info   node1/lrm: service status vm:101 started']);
    const old = await runCli(['log', '--state-dir', state, '--since', '1h']);
    assert.ok(!old.stdout.includes('daemon started'), 'the start two hours ago is left out');
    const json = await runCli(['log', '--state-dir', state, '--output-format', 'json', '--lines', '2']);
    assert.deepEqual(json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown), [
      { t: baseMs + 30, node: 'node1', daemon: 'crm', ev: 'service-state', sid: 'vm:100', from: 'started', to: 'fence', on: 'node2', target: null },
      { t: baseMs + 40, node: 'node1', daemon: 'lrm', ev: 'service-action', sid: 'vm:101', action: 'start', result: 'ok' },
    ]);
    const bad = await runCli(['log', '--state-dir', state, '--since', 'yesterday']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'ha-manager: --since: expected a duration like 30s, 10m, 2h or 1d, got "yesterday"\n');
  });

  it("finds another node's journal in a local cluster, and says where to look when it is on another machine", async () => {
    for (const node of ['node1', 'node2']) nodeJournals(join(root, 'local', node, 'state'), node, baseMs);
    const fromRoot = await runCli(['log', '--state-dir', root, '--node', 'node2', '--lines', '1']);
    assert.deepEqual(withoutTime(fromRoot.stdout), ['info   node2/lrm: service status vm:101 started']);
    const fromSibling = await runCli(['log', '--state-dir', join(root, 'local', 'node1', 'state'), '--node', 'node2', '--lines', '1']);
    assert.deepEqual(withoutTime(fromSibling.stdout), ['info   node2/lrm: service status vm:101 started']);
    const elsewhere = await runCli(['log', '--state-dir', join(root, 'local', 'node1', 'state'), '--node', 'node3']);
    assert.equal(elsewhere.code, 1);
    assert.match(elsewhere.stderr, /^ha-manager: .*node1\/state holds the journals of node 'node1', not 'node3': journals are node-local\. Run 'ha-manager log' on node3, or read its daemons' journald there \('journalctl -u ha-crm -u ha-lrm'\)/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const none = await runCli(['log', '--state-dir', empty, '--node', 'node1']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^ha-manager: No journal of node 'node1' in .*empty: ha-crm and ha-lrm write crm\.db and lrm\.db there once they ran/);
  });

  it('--follow prints rows as they are written and stops cleanly on Ctrl-C', async () => {
    const state = join(root, 'state');
    nodeJournals(state, 'node1', baseMs);
    const child = spawn(BIN, ['log', '--state-dir', state, '--follow', '--lines', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no '${text}' within 60 s: ${stdout}`)), 60_000);
        const check = () => {
          if (!stdout.includes(text)) return;
          clearTimeout(timer);
          resolve();
        };
        child.stdout.on('data', (data) => {
          stdout += data.toString();
          check();
        });
        check();
      });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await seen('service status vm:101 started');
      writeJournal(state, 'crm', 'node1', [{ wallMs: Date.now(), event: { ev: 'recover', sid: 'vm:100', from: 'node2', to: 'node3' } }]);
      await seen("recover service 'vm:100' from fenced node 'node2' to node 'node3'");
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    assert.equal(stdout.split('\n').filter((line) => line.includes('service status vm:101')).length, 1, 'nothing printed twice');
  });
});
