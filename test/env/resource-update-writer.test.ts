import { strict as assert } from 'node:assert';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/common/ha-config.ts';
import { DaemonLoop } from '../../src/env/daemon-loop.ts';
import type { HaConfig } from '../../src/env/env.ts';
import { NodeConfigSource } from '../../src/env/node-config.ts';
import { NodeCrmEnv } from '../../src/env/node-crm-env.ts';
import { NodeJournal } from '../../src/env/node-journal.ts';
import { ResourceUpdateWriter } from '../../src/env/resource-update-writer.ts';
import { currentBootId } from '../../src/store/boot-id.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';
import { daemonStore } from './daemon-store.ts';

const HOLDER = resolve('test/store/config-lock-holder.ts');
const RESOURCES = 'vm: 101\n\tnode node1\n\tstate started\n\nvm: 102\n\tnode node2\n\tstate started\n';

function sharedDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ha-writer-'));
  createSharedDirLayout(dir);
  writeFileSync(join(dir, 'resources.cfg'), RESOURCES);
  // The fast profile: rounds of 1 s, a watchdog client timeout of 5 s.
  writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tfence_timeout 10\n');
  return dir;
}

/** Another process (real, on this host) holding the config lock for `holdMs`; resolves once it holds it. */
async function holdLock(dir: string, holdMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir, 'node9', hostname(), currentBootId() ?? '-', String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((done) => child.stdout!.once('data', (data: Buffer) => done(data.toString().trim())));
  assert.equal(line, 'taken');
  return child;
}

const CONFIG: HaConfig = {
  resources: { 'vm:101': { node: 'node1', state: 'started', maxRestart: 1, maxRelocate: 1 } },
  groups: {},
  rules: [],
  settings: DEFAULT_CLUSTER_SETTINGS,
  serviceSizes: {},
  nodeCapacities: {},
  generation: 4,
};

describe('ResourceUpdateWriter: the master writes resources.cfg between rounds, never waiting in one', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = sharedDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writer(overrides: Partial<ConstructorParameters<typeof ResourceUpdateWriter>[0]> = {}) {
    const problems: string[] = [];
    const written: string[][] = [];
    const instance = new ResourceUpdateWriter({
      store: daemonStore(dir, 'node1'),
      mayWrite: () => true,
      onWritten: (sids) => written.push([...sids]),
      onProblem: (message) => problems.push(message),
      nowMs: () => Math.floor(performance.now()),
      ...overrides,
    });
    return { instance, problems, written };
  }

  it('merges patches per service (the latest wins), shows them on top of the config until written, then writes them in one edit', () => {
    const { instance, written } = writer();
    instance.enqueue('vm:101', { node: 'node2' });
    instance.enqueue('vm:101', { state: 'stopped' });
    instance.enqueue('vm:101', { node: 'node3' });
    const view = instance.overlay(CONFIG);
    assert.deepEqual(view.resources['vm:101'], { node: 'node3', state: 'stopped', maxRestart: 1, maxRelocate: 1 });
    assert.equal(view.generation, undefined, 'readers must look at every resource while the view differs from the file');
    assert.equal(instance.overlay(CONFIG), view, 'the same object while nothing changed');
    assert.equal(instance.writeNow(), true);
    assert.deepEqual(written, [['vm:101']]);
    assert.match(readFileSync(join(dir, 'resources.cfg'), 'utf8'), /^vm: 101\n\tnode node3\n\tstate stopped\n/);
    assert.equal(instance.overlay(CONFIG), CONFIG, 'nothing pending: the config as it is');
  });

  it('drops what it may no longer write (no longer master), and says so', () => {
    let isMaster = true;
    const { instance, problems } = writer({ mayWrite: () => isMaster });
    instance.enqueue('vm:102', { node: 'node1' });
    isMaster = false;
    assert.equal(instance.writeNow(), true);
    assert.equal(instance.pendingCount, 0);
    assert.deepEqual(problems, ['Resource updates of vm:102 not written to resources.cfg: this node no longer holds the manager lease']);
    assert.equal(readFileSync(join(dir, 'resources.cfg'), 'utf8'), RESOURCES);
  });

  it('a held config lock is said at once, once, naming the lock, its holder and how often it is tried', async () => {
    const holder = await holdLock(dir, 3_000);
    const { instance, problems } = writer();
    instance.enqueue('vm:101', { node: 'node2' });
    assert.equal(instance.writeNow(), false);
    assert.equal(instance.writeNow(), false);
    assert.deepEqual(problems, [
      `Resource updates of 1 services waiting 0 s (retrying, rounds go on): the config lock ${join(dir, '.config.lock')} is held by node node9 pid ${holder.pid}${hostname() !== 'node9' ? ` on host ${hostname()}` : ''}; tried again every 2 s at most, said again after 30 s`,
    ]);
    await new Promise((done) => (holder.exitCode === null ? holder.once('exit', done) : done(undefined)));
    await pollUntil('the write after the holder let go', 20_000, () => instance.pendingCount === 0);
    assert.equal(problems.length, 1);
  });

  it('a lock held by another process for longer than the client timeout (real process, real timers): the rounds keep their pace, the write lands after', async () => {
    const store = daemonStore(dir, 'node1');
    const config = NodeConfigSource.load(store, () => {});
    const journal = new NodeJournal(join(dir, 'journal.sqlite'));
    const env = new NodeCrmEnv({
      daemon: 'crm', node: 'node1', store, config, journal,
      watchdogSocket: join(dir, 'no-mux.sock'), isWithoutWatchdog: false, onWatchdogFailure: () => {}, print: () => {},
    });
    const { roundMs, watchdogClientTimeoutMs } = env.timing;
    assert.deepEqual([roundMs, watchdogClientTimeoutMs], [1000, 5000]);
    const holdMs = watchdogClientTimeoutMs + 2000;
    const holder = await holdLock(dir, holdMs);
    const heldUntilMs = Date.now() + holdMs;
    const roundStartsMs: number[] = [];
    const seen: Array<{ file: string; view: string; pending: number }> = [];
    const loop = new DaemonLoop({
      roundMs, wakeMinMs: 100, nowMs: () => env.nowMs(), roundsMax: 1000, afterRound: () => {},
      round: () => {
        roundStartsMs.push(Date.now());
        env.beginRound();
        assert.equal(env.tryManagerLease(), true);
        if (roundStartsMs.length === 1) env.updateResourceConfig('vm:101', { node: 'node2' });
        const file = /vm: 101\n\tnode (\w+)/.exec(readFileSync(join(dir, 'resources.cfg'), 'utf8'))![1]!;
        seen.push({ file, view: env.readConfig().resources['vm:101']!.node!, pending: env.pendingResourceUpdates });
        return Date.now() > heldUntilMs + 3 * roundMs && env.pendingResourceUpdates === 0 ? 'exit' : 'continue';
      },
    });
    await loop.run();
    await new Promise((done) => (holder.exitCode === null ? holder.once('exit', done) : done(undefined)));
    const gapsMs = roundStartsMs.slice(1).map((startMs, index) => startMs - roundStartsMs[index]!);
    assert.ok(Math.max(...gapsMs) < roundMs + 300, `gaps between rounds ${gapsMs.join(', ')} ms: no round waited for the lock`);
    const whileHeld = seen.slice(0, Math.floor(holdMs / roundMs) - 1);
    assert.ok(whileHeld.every((round) => round.file === 'node1' && round.view === 'node2' && round.pending === 1), JSON.stringify(whileHeld));
    assert.deepEqual(seen.at(-1), { file: 'node2', view: 'node2', pending: 0 }, 'written once the holder let go');
    journal.close();
  });
});
