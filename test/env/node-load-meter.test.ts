import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeLoadMeter } from '../../src/env/node-load-meter.ts';
import { DriverRegistry } from '../../src/resources/driver-registry.ts';
import type { ResourceDriver } from '../../src/resources/resource-driver.ts';
import { processOfPidFile, readUsage, type UsageSource } from '../../src/resources/usage-source.ts';

/** A driver that knows only where its services' processes are (the meter asks nothing else). */
function locatingDriver(sources: Record<string, UsageSource>): ResourceDriver {
  const unused = () => Promise.reject(new Error('not called by the meter'));
  return { name: 'locating', canMigrateOnline: () => false, usageSource: (sid) => sources[sid], check: unused, start: unused, stop: unused, migrate: unused, relocate: unused };
}

/** A real process: `busy` spins a CPU (in a child, so the tree is summed), otherwise it sleeps holding ~64 MiB. */
function startProcess(kind: 'busy' | 'idle'): ChildProcess {
  const code =
    kind === 'busy'
      ? "require('child_process').spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }); setInterval(() => {}, 1000);"
      : 'globalThis.keep = Buffer.alloc(64 * 1024 * 1024, 1); setInterval(() => {}, 1000);';
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore', detached: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('NodeLoadMeter (real processes)', function () {
  this.timeout(20_000);
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  });

  it('measures a service process tree: the CPU rate between two readings, its resident memory, nothing for an absent one', async () => {
    const busy = startProcess('busy');
    const idle = startProcess('idle');
    children.push(busy, idle);
    await sleep(700); // both started, the busy child forked
    const dir = mkdtempSync(join(tmpdir(), 'meter-'));
    writeFileSync(join(dir, 'idle.pid'), `${idle.pid}\n`);
    const sources = { 'sim:busy': { kind: 'process', pid: busy.pid! } as const, 'sim:idle': processOfPidFile(join(dir, 'idle.pid'))! };
    let now = 0;
    const meter = new NodeLoadMeter(new DriverRegistry({ sim: locatingDriver(sources) }), () => now, 1000);
    const first = meter.measure(['sim:busy', 'sim:idle', 'sim:gone']);
    assert.equal(first.services.get('sim:busy')?.cpu, 0, 'no rate at the first reading');
    assert.equal(first.services.has('sim:gone'), false);
    assert.ok(first.maxCpu >= 1 && first.maxMemBytes > 0);
    const started = performance.now();
    await sleep(1500);
    now = performance.now() - started;
    const second = meter.measure(['sim:busy', 'sim:idle']);
    const busyLoad = second.services.get('sim:busy')!;
    const idleLoad = second.services.get('sim:idle')!;
    // The parent sleeps: what it shows is its spinning child's. How much CPU the child gets depends on
    // the machine's load, so only bounds that hold on a crowded machine are checked.
    assert.ok(busyLoad.cpu > 0.1 && busyLoad.cpu <= second.maxCpu + 0.2, `the spinning child counts for its parent: ${busyLoad.cpu} CPUs`);
    assert.ok(idleLoad.cpu < busyLoad.cpu / 5, `the sleeper uses next to no CPU: ${idleLoad.cpu} against ${busyLoad.cpu}`);
    assert.ok(idleLoad.memBytes > 64 * 1024 * 1024, `its 64 MiB buffer is resident: ${idleLoad.memBytes}`);
  });

  it('answers from its last measurement within the interval', () => {
    let now = 0;
    const meter = new NodeLoadMeter(new DriverRegistry({}), () => now, 1000);
    const first = meter.measure([]);
    now = 999;
    assert.equal(meter.measure([]), first);
    now = 1000;
    assert.notEqual(meter.measure([]), first);
  });

  it('reads nothing from a process that is gone or a cgroup that does not exist', () => {
    assert.equal(readUsage({ kind: 'process', pid: 2 ** 22 + 1 }), undefined);
    assert.equal(readUsage({ kind: 'cgroup', dir: '/sys/fs/cgroup/no-such-group' }), undefined);
  });
});
