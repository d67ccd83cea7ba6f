import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST_TIMING, haCfgText, resourcesCfgText } from '../../src/cluster/cluster-config.ts';
import { NodeJournals } from '../../src/env/journal-reader.ts';
import { readQueuedCommands } from '../../src/store/command-queue.ts';
import { createSharedDirLayout, sharedPaths } from '../../src/store/shared-dir.ts';
import { ClusterSource } from '../../src/web/cluster-source.ts';
import { runCli } from '../cli/run-cli.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

describe('web: the live cluster source (a shared directory, no daemons)', () => {
  let root: string;
  let sharedDir: string;
  let source: ClusterSource;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'web-source-'));
    sharedDir = join(root, 'shared');
    mkdirSync(sharedDir);
    const paths = createSharedDirLayout(sharedDir);
    writeFileSync(paths.settings, haCfgText(FAST_TIMING, 'conditional', ['node1', 'node2']));
    writeFileSync(paths.resources, resourcesCfgText([{ sid: 'vm:100', node: 'node1' }]));
    source = new ClusterSource({ store: new DirClusterStore(sharedDir), stateDir: join(root, 'state'), node: 'node1', journalPollMs: 60_000 });
  });
  afterEach(async () => {
    await source.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('queues a migrate as the CLI does, with the no-master warning in the answer', () => {
    const result = source.act({ kind: 'migrate', sid: 'vm:100', node: 'node2' }, 'web@127.0.0.1');
    assert.deepEqual(result, { kind: 'done', message: 'Queued for the master: migrate vm:100 node2', warning: 'no master is active: the request is queued and runs when a master is elected' });
    assert.deepEqual(readQueuedCommands(sharedDir).map((queued) => queued.line), ['migrate vm:100 node2']);
  });

  it("refuses what the CLI refuses, with the CLI's words, and queues nothing", async () => {
    const unknownNode = source.act({ kind: 'migrate', sid: 'vm:100', node: 'node9' }, 'web@127.0.0.1');
    const cli = await runCli(['migrate', 'vm:100', 'node9', '--dir', sharedDir]);
    assert.equal(cli.code, 2);
    assert.deepEqual(unknownNode, { kind: 'refused', message: cli.stderr.trim().replace(/^ha-manager: /, '') });
    assert.equal(source.act({ kind: 'set-state', sid: 'vm:999', state: 'disabled' }, 'web@127.0.0.1').kind, 'refused');
    assert.equal(source.act({ kind: 'fence-ack', node: 'node2' }, 'web@127.0.0.1').kind, 'done', 'a node the master does not list as online may be confirmed down');
    assert.deepEqual(readQueuedCommands(sharedDir).map((queued) => queued.line), ['fence-ack node2 web@127.0.0.1']);
  });

  it('enable/disable edits resources.cfg through the set command\'s function', () => {
    const result = source.act({ kind: 'set-state', sid: 'vm:100', state: 'disabled' }, 'web@127.0.0.1');
    assert.equal(result.kind, 'done');
    assert.match(readFileSync(sharedPaths(sharedDir).resources, 'utf8'), /vm: 100\n(\t.*\n)*\tstate disabled\n/);
    assert.equal(source.status().services.find((service) => service.sid === 'vm:100')?.requestedState, 'disabled');
  });

  it("records every action with who asked in the node's journal (web.db), which 'ha-manager log' shows", async () => {
    source.act({ kind: 'maintenance', node: 'node2', action: 'enable' }, 'web@10.0.0.7');
    source.act({ kind: 'migrate', sid: 'vm:100', node: 'node9' }, 'web@10.0.0.7');
    const journals = new NodeJournals(join(root, 'state'));
    const rows = journals.readLast({ rowsMax: 0, isRoutineShown: false }).rows;
    journals.close();
    assert.deepEqual(
      rows.map((row) => (row.table === 'blackbox' ? `${row.daemon} ${row.kind}: ${row.detail}` : '')),
      [
        'web operator-action: web@10.0.0.7: node-maintenance enable node2 - Queued for the master: enable-node-maintenance node2',
        "web operator-action: web@10.0.0.7: migrate vm:100 node9 - refused: Unknown node 'node9': ha.cfg declares node1, node2; a new node is declared with 'ha-manager node add node9'",
      ],
    );
    assert.deepEqual(source.events().map((event) => event.kind), ['action', 'action']);
    const log = await runCli(['log', '--state-dir', join(root, 'state'), '--node', 'node1']);
    assert.match(log.stdout, /notice node1\/web: operator action: web@10\.0\.0\.7: node-maintenance enable node2/);
  });
});
