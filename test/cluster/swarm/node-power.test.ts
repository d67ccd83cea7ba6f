import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../../../src/cluster/cluster-process.ts';
import { FAST_TIMING } from '../../../src/cluster/cluster-config.ts';
import { LocalCluster } from '../../../src/cluster/local-cluster.ts';
import { processesUnder, processState } from '../../../src/cluster/host-processes.ts';
import { killNode, pauseNode, resetNode, resumeProcesses } from '../../../src/cluster/swarm/node-power.ts';

/** Stand-ins for a node's processes: idle node processes whose arguments name the node's folder, as the real ones do. */
function idle(args: string[], options: { ignoresTerm?: boolean } = {}): ChildProcess {
  const script = `${options.ignoresTerm === true ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000); process.stdout.write('up\\n');`;
  return spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
}

async function started(child: ChildProcess): Promise<ChildProcess> {
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  return child;
}

function resetLines(cluster: LocalCluster, node: string): Array<{ reason: string; killed: string[] }> {
  try {
    return readFileSync(join(cluster.nodeDir(node), 'resets.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

describe('cluster swarm: a whole node paused, reset, shut down (processes found by their arguments)', function () {
  this.timeout(30_000);
  let cluster: LocalCluster;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    cluster = LocalCluster.create({ nodes: ['node1', 'node10'], timing: FAST_TIMING, resources: [] });
  });

  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    cluster.remove();
  });

  async function nodeProcesses(node: string, options: { ignoresTerm?: boolean } = {}) {
    const nodeDir = cluster.nodeDir(node);
    const spawned = [
      idle(['/opt/x/bin/ha-watchdog-emulator', '--node-dir', nodeDir]),
      idle(['/opt/x/bin/ha-lrm', '--node-dir', nodeDir]),
      idle(['/opt/x/bin/ha-sim-service', '--pid-file', join(nodeDir, 'pids', 'service-vm.1.pid')], options),
    ];
    children.push(...spawned);
    return Promise.all(spawned.map(started));
  }

  it('finds a node\'s processes by an argument inside its folder, not a sibling node\'s', async () => {
    const [emulator, lrm, service] = await nodeProcesses('node1');
    const [other] = await nodeProcesses('node10');
    const pids = processesUnder(cluster.nodeDir('node1')).map((found) => found.pid).sort();
    assert.deepEqual(pids, [emulator!.pid, lrm!.pid, service!.pid].sort());
    assert.ok(!pids.includes(other!.pid!));
    assert.ok(processesUnder(cluster.root).length >= 6, 'the cluster folder covers both nodes');
  });

  it('pauses every process of the node but its emulated watchdog, and continues them', async () => {
    const [emulator, lrm, service] = await nodeProcesses('node1');
    const paused = pauseNode(cluster, 'node1');
    assert.deepEqual(paused.map((found) => found.pid).sort(), [lrm!.pid, service!.pid].sort());
    // A signal is delivered asynchronously: the state shows it a moment later.
    await pollUntil('the lrm and the service to be stopped', 5_000, () => processState(lrm!.pid!) === 'T' && processState(service!.pid!) === 'T');
    assert.notEqual(processState(emulator!.pid!), 'T');
    assert.equal(resumeProcesses(paused), 2);
    await pollUntil('the lrm and the service to run again', 5_000, () => processState(lrm!.pid!) !== 'T' && processState(service!.pid!) !== 'T');
  });

  it('a reset kills everything of the node at once, even paused, and records it once they are gone', async () => {
    const [, lrm] = await nodeProcesses('node1');
    const [other] = await nodeProcesses('node10');
    pauseNode(cluster, 'node1');
    const beforeMs = Date.now();
    const killed = await resetNode(cluster, 'node1');
    assert.equal(killed.length, 2, 'the lrm and the service (the emulator restarts with the node but is not listed)');
    assert.ok(killed.some((label) => label === `ha-lrm:${lrm!.pid}`), killed.join(', '));
    assert.deepEqual(processesUnder(cluster.nodeDir('node1')), []);
    assert.ok(processesUnder(cluster.nodeDir('node10')).some((found) => found.pid === other!.pid), 'the other node is untouched');
    const [record] = resetLines(cluster, 'node1') as unknown as Array<{ wallMs: number; reason: string; killed: string[] }>;
    assert.equal(record?.reason, 'reset by the swarm');
    assert.ok(record!.wallMs >= beforeMs);
  });

  it('a clean shutdown records a reset only when something had to be killed', async () => {
    await nodeProcesses('node1');
    assert.deepEqual(await killNode(cluster, 'node1', { isGraceful: true, reason: 'shutdown' }), []);
    assert.deepEqual(resetLines(cluster, 'node1'), [], 'everything left on SIGTERM');
    const [, , stubborn] = await nodeProcesses('node1', { ignoresTerm: true });
    const killed = await killNode(cluster, 'node1', { isGraceful: true, reason: 'killed at the end of a reboot' });
    assert.deepEqual(killed, [`ha-sim-service:${stubborn!.pid}`]);
    assert.deepEqual(resetLines(cluster, 'node1').map((line) => line.killed), [[`ha-sim-service:${stubborn!.pid}`]]);
  });
});
