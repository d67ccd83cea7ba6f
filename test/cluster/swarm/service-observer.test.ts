import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '../../../src/cluster/cluster-process.ts';
import { ServiceObserver } from '../../../src/cluster/swarm/service-observer.ts';
import { findOverlaps } from '../../../src/resources/find-overlaps.ts';
import { pidFileLine } from '../../../src/resources/process-identity.ts';
import type { LedgerEntry } from '../../../src/resources/sim-ledger.ts';

describe('cluster swarm: the service observer ends runs whose stop line was lost', function () {
  this.timeout(20_000);
  let root: string;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ha-observer-'));
  });

  afterEach(() => {
    child?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('a service killed without a line: the observed end removes the false overlap, and hides no real one', async () => {
    const node1Dir = join(root, 'node1');
    mkdirSync(join(node1Dir, 'pids'), { recursive: true });
    child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const pid = child.pid!;
    await pollUntil('the stand-in service to run', 5_000, () => {
      try {
        writeFileSync(join(node1Dir, 'pids', 'service-vm.101.pid'), pidFileLine(pid));
        return true;
      } catch {
        return false;
      }
    });
    const observer = new ServiceObserver({ node1: node1Dir, node2: join(root, 'node2') });
    const startMs = Date.now();
    observer.poll();
    assert.deepEqual(observer.exits(), [], 'a live service has no end');
    const killMs = Date.now();
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    observer.poll();
    const [end] = observer.exits();
    assert.deepEqual({ ...end, wallMs: 0 }, { wallMs: 0, node: 'node1', sid: 'vm:101', event: 'crash', pid });
    assert.ok(end!.wallMs >= killMs, 'the observed end is never before the real one');
    observer.poll();
    assert.equal(observer.exits().length, 1, 'one end per process');

    const ledger: LedgerEntry[] = [
      { wallMs: startMs, node: 'node1', sid: 'vm:101', event: 'start', pid },
      { wallMs: end!.wallMs + 1_000, node: 'node2', sid: 'vm:101', event: 'start', pid: pid + 1 },
    ];
    assert.equal(findOverlaps(ledger, []).length, 1, 'the ledger alone sees node1 running on');
    assert.deepEqual(findOverlaps([...ledger, ...observer.exits()], []), []);
    const startedBeforeEnd = [ledger[0]!, { ...ledger[1]!, wallMs: killMs - 10 }];
    assert.equal(findOverlaps([...startedBeforeEnd, ...observer.exits()], []).length, 1, 'a start elsewhere before the end is still an overlap');
  });
});
