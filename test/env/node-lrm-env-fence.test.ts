import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FenceJobResult } from '../../src/common/lrm-status.ts';
import type { TraceEvent } from '../../src/common/trace.ts';
import { NodeConfigSource } from '../../src/env/node-config.ts';
import { NodeJournal } from '../../src/env/node-journal.ts';
import { NodeLrmEnv } from '../../src/env/node-lrm-env.ts';
import { DriverRegistry } from '../../src/resources/driver-registry.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';
import { daemonStore } from './daemon-store.ts';

describe("NodeLrmEnv: fence jobs run from this node's fence.cfg", function () {
  this.timeout(60_000);
  let dir: string;
  let journal: NodeJournal;
  let printed: TraceEvent[];
  let wakes: number;
  let env: NodeLrmEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-lrm-fence-'));
    createSharedDirLayout(dir);
    writeFileSync(join(dir, 'ha.cfg'), 'node: node1\n\nnode: node2\n');
    writeFileSync(join(dir, 'pdu'), 'on');
    const fenceCfg = [`device pdu fence_dummy type=file status_file=${join(dir, 'pdu')} password=Pdu-Pass-5`, 'device broken fence_dummy type=fail power_timeout=1', 'connect pdu node=node2', 'connect broken node=node2'];
    writeFileSync(join(dir, 'fence.cfg'), `${fenceCfg.join('\n')}\n`, { mode: 0o600 });
    journal = new NodeJournal(join(dir, 'node1.sqlite'));
    printed = [];
    wakes = 0;
    const store = daemonStore(dir, 'node1');
    const config = NodeConfigSource.load(store, () => {});
    const parts = { daemon: 'lrm' as const, node: 'node1', store, config, journal, watchdogSocket: join(dir, 'no-mux.sock'), isWithoutWatchdog: false, onWatchdogFailure: () => {}, print: (event: TraceEvent) => printed.push(event) };
    env = new NodeLrmEnv(parts, new DriverRegistry({}), () => wakes++);
  });
  afterEach(() => {
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function finished(count: number): Promise<FenceJobResult[]> {
    const results: FenceJobResult[] = [];
    for (let waitedMs = 0; results.length < count && waitedMs < 30_000; waitedMs += 50) {
      results.push(...env.takeFinishedFences());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return results;
  }

  it('runs level 1 off with the real agent, level 2 fails with its reason; once per uid; the loop is woken', async () => {
    env.startFence({ uid: 'u1', target: 'node2', action: 'off', level: 0 });
    env.startFence({ uid: 'u1', target: 'node2', action: 'off', level: 0 });
    env.startFence({ uid: 'u2', target: 'node2', action: 'off', level: 1 });
    const results = (await finished(2)).sort((a, b) => a.uid.localeCompare(b.uid));
    assert.deepEqual(results[0], { uid: 'u1', target: 'node2', action: 'off', level: 0, ok: true });
    assert.equal(readFileSync(join(dir, 'pdu'), 'utf8'), 'off');
    assert.equal(results[1]?.ok, false);
    assert.match(results[1]?.reason ?? '', /^level 'broken': device 'broken': fence_dummy off: exit 1: /);
    assert.equal(wakes, 2);
    const logged = printed.map((event) => JSON.stringify(event)).join('\n');
    assert.equal(logged.includes('Pdu-Pass-5'), false);
    assert.equal(printed.filter((event) => event.ev === 'log' && event.msg.includes('fence job u1') && event.msg.includes('started')).length, 1);
  });
});
