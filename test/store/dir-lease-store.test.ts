import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirLeaseStore, type DirLeaseStoreOptions } from '../../src/store/dir-lease-store.ts';
import { NODE_LEASE_FS, type LeaseFs } from '../../src/store/lease-directory.ts';
import { agentLease, MANAGER_LEASE } from '../../src/store/lease-store.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';

const T = 1_000;
const WALL_MS = 1_700_000_000_000;

describe('DirLeaseStore (dir backend specifics)', () => {
  let root: string;
  let leases: string;
  let problems: string[];
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ha-dir-lease-'));
    leases = createSharedDirLayout(root).leases;
    problems = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const store = (node: string, extra: Partial<DirLeaseStoreOptions> = {}) =>
    new DirLeaseStore({ leasesPath: leases, node, leaseTimeoutMs: T, wallClockMs: () => WALL_MS, onProblem: (message) => problems.push(message), ...extra });
  const readJson = (path: string): unknown => JSON.parse(readFileSync(join(leases, path), 'utf8'));

  it('writes the on-disk format of docs/shared-dir.md', () => {
    const a = store('node1');
    assert.equal(a.acquire(agentLease('node1'), 0), 'taken');
    assert.deepEqual(readdirSync(leases), ['agent.node1.1']);
    assert.deepEqual(readJson('agent.node1.1/holder'), { node: 'node1', takenWallMs: WALL_MS });
    assert.deepEqual(readJson('agent.node1.1/heartbeat'), { counter: 1, node: 'node1', wallMs: WALL_MS });
    assert.equal(a.acquire(agentLease('node1'), 10), 'renewed');
    assert.deepEqual(readJson('agent.node1.1/heartbeat'), { counter: 2, node: 'node1', wallMs: WALL_MS });
    assert.equal(a.release(agentLease('node1'), 20), 'released');
    assert.deepEqual(readJson('agent.node1.1/released'), { node: 'node1', wallMs: WALL_MS });
    assert.deepEqual(readdirSync(join(leases, 'agent.node1.1')).sort(), ['heartbeat', 'holder', 'released']);
  });

  it('compares no clocks between nodes: each waits on its own monotonic clock', () => {
    const a = store('a');
    const b = store('b');
    const bOffsetMs = -9_000_000_000;
    assert.equal(a.acquire(MANAGER_LEASE, 5_000_000), 'taken');
    assert.equal(b.acquire(MANAGER_LEASE, bOffsetMs), 'refused');
    assert.equal(a.acquire(MANAGER_LEASE, 5_000_000 + T), 'renewed');
    assert.equal(b.acquire(MANAGER_LEASE, bOffsetMs + T + 1), 'refused', 'b saw the renewal only now');
    assert.equal(b.acquire(MANAGER_LEASE, bOffsetMs + 2 * T + 1), 'refused');
    assert.equal(b.acquire(MANAGER_LEASE, bOffsetMs + 2 * T + 2), 'taken');
  });

  it('keeps only the current generation and the one before', () => {
    const a = store('a');
    const b = store('b');
    for (let round = 0; round < 6; round++) {
      const taker = round % 2 === 0 ? a : b;
      assert.equal(taker.acquire(MANAGER_LEASE, round * 10), 'taken');
      assert.equal(taker.release(MANAGER_LEASE, round * 10 + 1), 'released');
    }
    assert.equal(a.acquire(MANAGER_LEASE, 100), 'taken');
    assert.deepEqual(readdirSync(leases).sort(), ['manager.6', 'manager.7']);
    assert.deepEqual(problems, []);
  });

  it('ignores entries that are not generations of the lease', () => {
    for (const entry of ['manager.01', 'manager.x', 'manager', 'manager.-1', 'agent.a.1.2', '.manager.tmp']) mkdirSync(join(leases, entry));
    mkdirSync(join(leases, 'agent.a.7'));
    const a = store('a');
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    assert.ok(existsSync(join(leases, 'manager.1')));
    const seen = a.inspect(agentLease('a'), 1);
    assert.ok(seen !== 'unavailable');
    assert.equal(seen.generation, 7);
  });

  it('loses an mkdir race cleanly: EEXIST is refused, not unavailable', () => {
    const a = store('a');
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a.release(MANAGER_LEASE, 1), 'released');
    const c = store('c');
    // b lists the directory, then c's take lands before b's mkdir.
    const interleaving: LeaseFs = { ...NODE_LEASE_FS, mkdirSync: (path) => (c.acquire(MANAGER_LEASE, 2), NODE_LEASE_FS.mkdirSync(path)) };
    const b = store('b', { fs: interleaving });
    assert.equal(b.acquire(MANAGER_LEASE, 2), 'refused');
    const seen = b.inspect(MANAGER_LEASE, 3);
    assert.ok(seen !== 'unavailable');
    assert.deepEqual([seen.generation, seen.holder, seen.isHeldByMe], [2, 'c', false]);
  });

  it('a contender that stalled before its mkdir does not take a generation the holders already removed (ABA)', () => {
    const a = store('a');
    const c = store('c');
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a.release(MANAGER_LEASE, 1), 'released');
    let hasStalled = false;
    const stalling: LeaseFs = {
      ...NODE_LEASE_FS,
      mkdirSync: (path) => {
        if (!hasStalled) {
          hasStalled = true;
          // While b sleeps between reading 'released' of generation 1 and its mkdir of generation 2,
          // a and c go through generations 2, 3 and 4, and c's take of 4 removes generation 2.
          for (const [taker, atMs] of [[a, 2], [c, 4], [a, 6]] as const) {
            assert.equal(taker.acquire(MANAGER_LEASE, atMs), 'taken');
            if (atMs < 6) assert.equal(taker.release(MANAGER_LEASE, atMs + 1), 'released');
          }
          assert.deepEqual(readdirSync(leases).sort(), ['manager.3', 'manager.4']);
        }
        NODE_LEASE_FS.mkdirSync(path);
      },
    };
    const b = store('b', { fs: stalling });
    assert.equal(b.acquire(MANAGER_LEASE, 2), 'refused');
    assert.deepEqual(readdirSync(leases).sort(), ['manager.3', 'manager.4'], 'the stale generation 2 is gone again');
    assert.equal(a.acquire(MANAGER_LEASE, 7), 'renewed');
    const seen = b.inspect(MANAGER_LEASE, 8);
    assert.ok(seen !== 'unavailable');
    assert.deepEqual([seen.generation, seen.holder, seen.isHeldByMe], [4, 'a', false]);
  });

  it('reports a missing leases directory as unavailable and never creates it', () => {
    rmSync(leases, { recursive: true });
    const a = store('a');
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'unavailable');
    assert.equal(a.inspect(MANAGER_LEASE, 0), 'unavailable');
    assert.equal(existsSync(leases), false);
    assert.match(problems[0] ?? '', new RegExp(`Lease store of a: Cannot list ${leases}: ENOENT`));
  });

  it('a shared directory that goes away and comes back: the holder renews while within the timeout', () => {
    const a = store('a');
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    renameSync(leases, `${leases}.away`);
    assert.equal(a.acquire(MANAGER_LEASE, 100), 'unavailable');
    renameSync(`${leases}.away`, leases);
    assert.equal(a.acquire(MANAGER_LEASE, T), 'renewed');
  });

  it('ENOSPC on a renewal is unavailable: the heartbeat stays as it was, the holder renews later', () => {
    let isFull = false;
    const full: LeaseFs = {
      ...NODE_LEASE_FS,
      writeFileAtomic: (path, content) => {
        if (isFull) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
        NODE_LEASE_FS.writeFileAtomic(path, content);
      },
    };
    const a = store('a', { fs: full });
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    isFull = true;
    assert.equal(a.acquire(MANAGER_LEASE, 10), 'unavailable');
    assert.deepEqual(readJson('manager.1/heartbeat'), { counter: 1, node: 'a', wallMs: WALL_MS });
    assert.match(problems.join('\n'), /ENOSPC/);
    isFull = false;
    assert.equal(a.acquire(MANAGER_LEASE, 20), 'renewed');
    assert.deepEqual(readJson('manager.1/heartbeat'), { counter: 2, node: 'a', wallMs: WALL_MS });
  });

  it('a release whose directory fsync fails after the next holders removed the generation is still a release', () => {
    const b = store('b');
    const c = store('c');
    const raced: LeaseFs = {
      ...NODE_LEASE_FS,
      writeFileAtomic: (path, content) => {
        NODE_LEASE_FS.writeFileAtomic(path, content);
        if (!path.endsWith('released')) return;
        // Between a's rename and its directory fsync: b and c take over, c removes generation 1.
        assert.equal(b.acquire(MANAGER_LEASE, 11), 'taken');
        assert.equal(b.release(MANAGER_LEASE, 12), 'released');
        assert.equal(c.acquire(MANAGER_LEASE, 13), 'taken');
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${dirname(path)}'`), { code: 'ENOENT' });
      },
    };
    const a = store('a', { fs: raced });
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    assert.equal(a.release(MANAGER_LEASE, 10), 'released');
    assert.deepEqual(readdirSync(leases).sort(), ['manager.2', 'manager.3']);
    assert.equal(a.acquire(MANAGER_LEASE, 14), 'refused');
  });

  it('a release write that fails with the generation still current is unavailable, and the holder keeps it', () => {
    let isBroken = false;
    const failing: LeaseFs = {
      ...NODE_LEASE_FS,
      writeFileAtomic: (path, content) => {
        if (isBroken) throw Object.assign(new Error(`EIO: i/o error, write '${path}'`), { code: 'EIO' });
        NODE_LEASE_FS.writeFileAtomic(path, content);
      },
    };
    const a = store('a', { fs: failing });
    assert.equal(a.acquire(MANAGER_LEASE, 0), 'taken');
    isBroken = true;
    assert.equal(a.release(MANAGER_LEASE, 10), 'unavailable');
    isBroken = false;
    assert.equal(a.acquire(MANAGER_LEASE, 20), 'renewed');
    assert.equal(a.release(MANAGER_LEASE, 30), 'released');
  });

  it('an error without an errno code is a bug and propagates', () => {
    const buggy: LeaseFs = { ...NODE_LEASE_FS, readdirSync: () => { throw new TypeError('not a filesystem error'); } };
    assert.throws(() => store('a', { fs: buggy }).acquire(MANAGER_LEASE, 0), TypeError);
  });

  it('a generation whose taker died before writing its heartbeat times out like any other', () => {
    mkdirSync(join(leases, 'manager.1'));
    const b = store('b');
    assert.equal(b.acquire(MANAGER_LEASE, 0), 'refused');
    assert.equal(b.acquire(MANAGER_LEASE, T), 'refused');
    assert.equal(b.acquire(MANAGER_LEASE, T + 1), 'taken');
    assert.ok(existsSync(join(leases, 'manager.2', 'heartbeat')));
  });

  it('a restarted daemon (a new instance of the same node) does not adopt the lease: it waits like anyone', () => {
    const before = store('a');
    assert.equal(before.acquire(MANAGER_LEASE, 0), 'taken');
    const after = store('a');
    assert.equal(after.acquire(MANAGER_LEASE, 10), 'refused');
    assert.equal(after.acquire(MANAGER_LEASE, T + 10), 'refused');
    assert.equal(after.acquire(MANAGER_LEASE, T + 11), 'taken');
    assert.equal(before.acquire(MANAGER_LEASE, T + 12), 'refused');
  });

  it('concurrent processes racing mkdir: every generation has exactly one winner', async function () {
    this.timeout(60_000);
    const generationTarget = 300;
    const nodes = ['p1', 'p2', 'p3', 'p4'];
    const childPath = join(dirname(fileURLToPath(import.meta.url)), 'lease-race-child.ts');
    // On tmpfs when there is one: without fsyncs to wait for, the processes meet at mkdir far more often.
    const raceRoot = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'ha-lease-race-'));
    let settled: PromiseSettledResult<string>[];
    try {
      createSharedDirLayout(raceRoot);
      const children = nodes.map((node) => runChild(childPath, [raceRoot, node, String(generationTarget)]));
      await Promise.all(children.map((child) => child.ready));
      writeFileSync(join(raceRoot, 'go'), '');
      settled = await Promise.allSettled(children.map((child) => child.done));
    } finally {
      rmSync(raceRoot, { recursive: true, force: true });
    }
    const failures = settled.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    assert.deepEqual(failures, []);
    const reports = settled.map((result) => JSON.parse((result as PromiseFulfilledResult<string>).value) as { node: string; won: number[]; outcomes: Record<string, number> });
    const winners = new Map<number, string[]>();
    for (const report of reports) for (const generation of report.won) winners.set(generation, [...(winners.get(generation) ?? []), report.node]);
    const doubles = [...winners].filter(([, names]) => names.length !== 1);
    assert.deepEqual(doubles, [], 'generations won by more than one process');
    const lastGeneration = Math.max(...winners.keys());
    assert.ok(lastGeneration >= generationTarget, `last generation ${lastGeneration}`);
    for (let generation = 1; generation <= lastGeneration; generation++) assert.ok(winners.has(generation), `generation ${generation} has no winner`);
    const refusals = reports.reduce((sum, report) => sum + (report.outcomes.refused ?? 0), 0);
    assert.ok(refusals > 0, 'no contender was ever refused: the processes did not race');
    assert.ok(reports.filter((report) => report.won.length > 0).length >= 2, `one process won everything: ${JSON.stringify(reports.map((r) => r.won.length))}`);
  });
});

/** A child process; `ready` resolves at its first output line, `done` with its output after `ready`. */
function runChild(script: string, args: string[]): { ready: Promise<void>; done: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      markReady();
      if (code === 0) resolve(stdout.replace(/^ready\n/, ''));
      else reject(new Error(`${script} ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
  return { ready, done };
}
