import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lrmStatusToJson } from '../../src/common/lrm-status-json.ts';
import { executeRequest, jobResult } from '../../src/resources/execute-request.ts';
import { LxcDriver } from '../../src/resources/lxc-driver.ts';
import { fakeToolState } from '../resources/fake-tools.ts';
import { enqueueCommand } from '../../src/store/command-queue.ts';
import { freshDir, runCli } from './run-cli.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

function write(dir: string, name: string, content: unknown): void {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
}

/** A three-node cluster seen at one moment: node1 master, node2 in maintenance, node3 fenced. */
export function clusterDir(nowMs: number): string {
  const dir = freshDir('ha-status-');
  write(dir, 'groups.cfg', 'group: all\n\tnodes node1,node2,node3\n\n');
  write(dir, 'resources.cfg', 'vm: 100\n\tnode node1\n\nvm: 101\n\tnode node2\n\nvm: 102\n\tgroup all\n\nct: 200\n\tnode node1\n\tstate stopped\n\n');
  write(dir, 'status/manager.json', {
    master_node: 'node1',
    node_status: { node1: 'online', node2: 'maintenance', node3: 'fence' },
    service_status: {
      'vm:100': { state: 'started', node: 'node1', uid: 'a1', running: 1 },
      'vm:101': { state: 'error', node: 'node2', uid: 'b2' },
      'vm:102': { state: 'migrate', node: 'node1', target: 'node3', uid: 'c3' },
      'vm:300': { state: 'stopped', node: 'node3', uid: 'd4' },
    },
    node_request: { node2: { maintenance: 1 } },
    timestamp: nowMs - 1000,
  });
  write(dir, 'status/lrm/node1.json', { state: 'active', mode: 'active', results: {}, timestamp: nowMs - 2000 });
  write(dir, 'status/lrm/node2.json', { state: 'maintenance', mode: 'maintenance', results: { b2: { sid: 'vm:101', state: 'started', exit_code: 1 } }, timestamp: nowMs - 65_000 });
  write(dir, 'status/fenced/node3.json', { node: 'node3', reason: 'Agent lease not renewed for 65000 ms: store unavailable (EIO)', wallMs: nowMs - 3_600_000 });
  write(dir, 'leases/manager.3/holder', { node: 'node2', takenWallMs: 1 });
  write(dir, 'leases/manager.4/holder', { node: 'node1', takenWallMs: nowMs - 100_000 });
  write(dir, 'leases/manager.4/heartbeat', { counter: 9, node: 'node1', wallMs: nowMs - 3000 });
  write(dir, 'leases/agent.node1.2/holder', { node: 'node1', takenWallMs: nowMs - 100_000 });
  return dir;
}

const AGE = '\\d+(s|m\\d\\ds)';

describe('ha-manager status', () => {
  it("prints Proxmox VE's layout by default: the lines Proxmox scripts match, notes indented below", async () => {
    const nowMs = Date.now();
    const result = await runCli(['status', '--dir', clusterDir(nowMs)]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    const ctime = /[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}/.source;
    const expected = [
      'quorum OK',
      new RegExp(`^master node1 \\(active, ${ctime}\\)$`),
      new RegExp(`^lrm node1 \\(active, ${ctime}\\)$`),
      new RegExp(`^lrm node2 \\(old timestamp - dead\\?, ${ctime}\\)$`),
      'lrm node3 (no status: its LRM never ran with this store)',
      '  the master sees it as fence',
      /^ {2}fenced 1h0\dm ago: Agent lease not renewed for 65000 ms: store unavailable \(EIO\)$/,
      'service ct:200 (node1, -)',
      '  not yet taken up by the master',
      'service vm:100 (node1, started)',
      'service vm:101 (node2, error)',
      '  error: started on node2 failed (error)',
      "  to leave the error state: fix the cause, then 'ha-manager set vm:101 --state disabled' and 'ha-manager set vm:101 --state started'",
      'service vm:102 (node1, migrate)',
      '  moving to node3',
      'service vm:300 (node3, stopped)',
      '  no longer configured; the master drops it',
      '',
    ];
    assert.equal(lines.length, expected.length, result.stdout);
    expected.forEach((pattern, index) => {
      if (typeof pattern === 'string') assert.equal(lines[index], pattern);
      else assert.match(lines[index]!, pattern);
    });
    // The patterns scripts written for Proxmox VE use.
    assert.match(result.stdout, /^quorum OK$/m);
    assert.equal(/^master (\S+) \(active, /m.exec(result.stdout)?.[1], 'node1');
    assert.deepEqual([...result.stdout.matchAll(/^lrm (\S+) \((\S+)/gm)].map((match) => `${match[1]} ${match[2]}`), ['node1 active,', 'node2 old', 'node3 no']);
    assert.deepEqual(
      [...result.stdout.matchAll(/^service (\S+) \((\S+), (\S+)\)$/gm)].map((match) => match.slice(1).join(' ')),
      ['ct:200 node1 -', 'vm:100 node1 started', 'vm:101 node2 error', 'vm:102 node1 migrate', 'vm:300 node3 stopped'],
    );
  });

  it('dates the master and lrm lines like Perl\'s localtime, from the lease and status times', async () => {
    const nowMs = Date.UTC(2026, 11, 7, 0, 17, 45);
    const { ctimeOf } = await import('../../src/cli/status-proxmox.ts');
    const local = new Date(nowMs);
    const expected = `${local.toDateString().slice(0, 8)}${String(local.getDate()).padStart(2, ' ')} ${local.toTimeString().slice(0, 8)} ${local.getFullYear()}`;
    assert.equal(ctimeOf(nowMs), expected);
    if (local.getTimezoneOffset() === 0) assert.equal(ctimeOf(nowMs), 'Mon Dec  7 00:17:45 2026');
  });

  it('says why there is no quorum: no manager lease, or one not renewed within fence_timeout', async () => {
    const empty = await runCli(['status', '--dir', freshDir()]);
    assert.deepEqual(empty, { code: 0, stdout: 'quorum No quorum: no node holds the manager lease, so no master decides\n', stderr: '' });
    const expired = clusterDir(Date.now());
    write(expired, 'leases/manager.4/heartbeat', { counter: 9, node: 'node1', wallMs: Date.now() - 300_000 });
    const text = (await runCli(['status', '--dir', expired])).stdout;
    assert.match(text, /^quorum No quorum: the manager lease of node1 was not renewed within fence_timeout, so no master decides\nmaster node1 \(old timestamp - dead\?, /);
  });

  it('shows the nodes ha.cfg declares, and flags a node seen that it does not', async () => {
    const dir = clusterDir(Date.now());
    write(dir, 'ha.cfg', 'node: node1\n\nnode: node3\n\nnode: node4\n');
    const text = (await runCli(['status', '--dir', dir])).stdout;
    assert.match(text, /^lrm node2 \(old timestamp - dead\?, .*\)\n {2}not declared in ha\.cfg \('ha-manager node add node2'\)$/m);
    assert.match(text, /^lrm node4 \(no status: its LRM never ran with this store\)$/m);
    const json = JSON.parse((await runCli(['status', '--output-format', 'json', '--dir', dir])).stdout);
    assert.deepEqual(json.nodes.map((node: { node: string; declared: boolean }) => `${node.node}:${node.declared}`), ['node1:true', 'node2:false', 'node3:true', 'node4:true']);
  });

  it("renders a driver's last failure below the service line and in the NOTE column", async () => {
    const { collectStatus } = await import('../../src/cli/status-report.ts');
    const { renderProxmoxStatus } = await import('../../src/cli/status-proxmox.ts');
    const { renderStatusText } = await import('../../src/cli/status-text.ts');
    const report = collectStatus(new DirClusterStore(clusterDir(Date.now())));
    const failing = { ...report, services: report.services.map((service) => (service.sid === 'vm:100' ? { ...service, lastFailure: "virsh start: domain 'vm100' not found" } : service)) };
    assert.match(renderProxmoxStatus(failing), /^service vm:100 \(node1, started\)\n {2}last failure: virsh start: domain 'vm100' not found\n/m);
    assert.match(renderStatusText(failing), /^vm:100 +started +node1 +- +started +last failure: virsh start: domain 'vm100' not found$/m);
    assert.doesNotMatch(renderProxmoxStatus(report), /last failure/, 'no line when there is none');
  });

  it('lists queued requests with their age, in the default layout, --verbose and JSON', async () => {
    const nowMs = Date.now();
    const dir = clusterDir(nowMs);
    enqueueCommand(dir, 'migrate vm:100 node2', { wallMs: nowMs - 12_000 });
    enqueueCommand(dir, 'enable-node-maintenance node1', { wallMs: nowMs - 2_000 });
    const text = (await runCli(['status', '--dir', dir])).stdout;
    assert.match(text, /\nrequest migrate vm:100 node2 \(queued \d+s ago\)\nrequest enable-node-maintenance node1 \(queued \d+s ago\)\n$/);
    const verbose = (await runCli(['status', '--verbose', '--dir', dir])).stdout;
    assert.match(verbose, /\n\nREQUEST +QUEUED\nmigrate vm:100 node2 +\d+s ago\nenable-node-maintenance node1  \d+s ago\n$/);
    const json = JSON.parse((await runCli(['status', '--output-format', 'json', '--dir', dir])).stdout);
    assert.deepEqual(json.queuedRequests.map((queued: { request: string; queuedWallMs: number }) => [queued.request, queued.queuedWallMs]), [
      ['migrate vm:100 node2', nowMs - 12_000],
      ['enable-node-maintenance node1', nowMs - 2_000],
    ]);
    assert.ok(json.queuedRequests[0].ageMs >= 12_000);
  });

  it('gives the same data as JSON, with ages in milliseconds', async () => {
    const nowMs = Date.now();
    const result = await runCli(['status', '--output-format', 'json', '--dir', clusterDir(nowMs)]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.master.node, 'node1');
    assert.equal(report.master.leaseGeneration, 4);
    assert.ok(report.master.leaseAgeMs >= 3000 && report.master.leaseAgeMs < 60_000);
    assert.equal(report.master.isExpired, false);
    assert.deepEqual(report.nodes.map((node: { node: string; maintenance: string; lrmState: string | null }) => [node.node, node.maintenance, node.lrmState]), [
      ['node1', 'no', 'active'],
      ['node2', 'yes', 'maintenance'],
      ['node3', 'no', null],
    ]);
    assert.equal(report.nodes[2].fenced.reason, 'Agent lease not renewed for 65000 ms: store unavailable (EIO)');
    const error = report.services.find((service: { sid: string }) => service.sid === 'vm:101');
    assert.deepEqual(error, {
      sid: 'vm:101',
      state: 'error',
      node: 'node2',
      target: null,
      requestedState: 'started',
      error: { reason: 'started on node2 failed (error)', howToLeave: "fix the cause, then 'ha-manager set vm:101 --state disabled' and 'ha-manager set vm:101 --state started'" },
      lastFailure: 'started on node2 failed (error)',
      waitsFor: null,
      comment: null,
    });
    assert.deepEqual(report.leases.map((lease: { name: string; generation: number }) => `${lease.name}.${lease.generation}`), ['agent.node1.2', 'manager.4']);
  });

  it('says what a service waits for before the master acts: a fence proof, or its node', async () => {
    const nowMs = Date.now();
    const dir = clusterDir(nowMs);
    write(dir, 'resources.cfg', 'vm: 100\n\tnode node1\n\nvm: 103\n\tnode node3\n\nvm: 104\n\tnode node3\n\nvm: 105\n\tnode node2\n\n');
    write(dir, 'status/manager.json', {
      master_node: 'node1',
      node_status: { node1: 'online', node2: 'online', node3: 'unknown' },
      service_status: {
        'vm:100': { state: 'started', node: 'node1', uid: 'a1', running: 1 },
        'vm:103': { state: 'fence', node: 'node3', uid: 'b2', may_run_unmanaged: 1, waiting_for_node: 1 },
        'vm:104': { state: 'fence', node: 'node3', uid: 'c3' },
        'vm:105': { state: 'started', node: 'node2', uid: 'd4', may_run_unmanaged: 1 },
      },
      timestamp: nowMs - 1000,
    });
    const result = await runCli(['status', '--dir', dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^service vm:100 \(node1, started\)\nservice vm:103/m, 'nothing to wait for');
    assert.match(result.stdout, /^service vm:103 \(node3, fence\)\n {2}waits for node3 to report: its agent lease was free, which does not prove the service stopped there$/m);
    assert.match(result.stdout, /^service vm:104 \(node3, fence\)\n {2}waits for the fence of node3: its agent lease unchanged for fence_timeout/m);
    assert.match(result.stdout, /^service vm:105 \(node2, started\)\n {2}waits for node2's LRM to report on it/m);
  });

  it('shows the driver\'s reason of a failed action: lastFailure and error.reason in JSON, the NOTE column in text', async () => {
    const nowMs = Date.now();
    const dir = clusterDir(nowMs);
    write(dir, 'resources.cfg', 'vm: 100\n\tnode node1\n\nvm: 101\n\tnode node3\n\nct: 200\n\tnode node1\n\n');
    // ct:200 on node1 through the real lxc driver, with fake lxc tools that know no container 200
    const tools = fakeToolState('status-lxc');
    const job = { sid: 'ct:200', uid: 'e5', request: 'started' };
    const finished = jobResult(job, await executeRequest(new LxcDriver({ env: tools.env }), job, { configuredNode: 'node1', localNode: 'node1' }));
    tools.remove();
    const results = new Map([['e5', { sid: finished.sid, request: finished.request, result: finished.result, ...(finished.reason !== undefined ? { reason: finished.reason } : {}) }]]);
    write(dir, 'status/lrm/node1.json', lrmStatusToJson({ state: 'active', mode: 'active', results, timestampMs: nowMs - 2000 }));
    const lxcReason = 'lxc-start -n 200: lxc-start: 200: tools/lxc_start.c: main: 266 No container config specified';
    write(dir, 'status/manager.json', {
      master_node: 'node1',
      node_status: { node1: 'online', node2: 'maintenance', node3: 'online' },
      service_status: {
        'vm:100': { state: 'started', node: 'node1', uid: 'a1', running: 1 },
        'vm:101': { state: 'error', node: 'node3', uid: 'b2', failed_nodes: ['node1', 'node3'], last_failure: 'start on node3: virsh: domain not found' },
        'ct:200': { state: 'started', node: 'node1', uid: 'e5' },
      },
      timestamp: nowMs - 1000,
    });
    const json = await runCli(['status', '--output-format', 'json', '--dir', dir]);
    assert.equal(json.code, 0, json.stderr);
    const services = new Map<string, { error: { reason: string } | null; lastFailure: string | null }>(
      JSON.parse(json.stdout).services.map((service: { sid: string }) => [service.sid, service]),
    );
    assert.equal(services.get('ct:200')?.lastFailure, `started on node1 failed (error): ${lxcReason}`);
    assert.equal(services.get('vm:101')?.lastFailure, 'start on node3: virsh: domain not found');
    assert.equal(services.get('vm:101')?.error?.reason, 'start failed on node1, node3; last failure: start on node3: virsh: domain not found');
    assert.equal(services.get('vm:100')?.lastFailure, null);
    const text = await runCli(['status', '--dir', dir]);
    assert.ok(text.stdout.includes(`last failure: started on node1 failed (error): ${lxcReason}`), text.stdout);
    assert.ok(text.stdout.includes('last failure: start on node3: virsh: domain not found'), text.stdout);
  });

  it('shows a disarmed HA stack: a disarm line, disarmed LRMs, what services wait for; --verbose and JSON too', async () => {
    const nowMs = Date.now();
    const dir = clusterDir(nowMs);
    write(dir, 'resources.cfg', 'vm: 100\n\tnode node1\n\n');
    write(dir, 'status/manager.json', {
      master_node: 'node1',
      node_status: { node1: 'online' },
      service_status: { 'vm:100': { state: 'freeze', node: 'node1', uid: 'a1', may_run_unmanaged: 1 } },
      node_request: {},
      disarm: { mode: 'freeze', state: 'disarmed' },
    });
    write(dir, 'status/lrm/node1.json', { state: 'wait_for_agent_lock', mode: 'disarm', results: {}, timestamp: nowMs - 2000 });
    const text = (await runCli(['status', '--dir', dir])).stdout;
    assert.match(text, /^master node1 \(active, .*\)\ndisarm disarmed \(freeze\)\n {2}no watchdog is armed: nothing is fenced or recovered; services are frozen until 'ha-manager crm-command arm-ha'\n/m);
    assert.match(text, /^lrm node1 \(disarmed, /m);
    assert.match(text, /^service vm:100 \(node1, freeze\)\n {2}waits for the HA stack to be armed \(disarmed, mode freeze: 'ha-manager crm-command arm-ha'\)$/m);
    const verbose = (await runCli(['status', '--verbose', '--dir', dir])).stdout;
    assert.match(verbose, /^HA stack disarmed \(mode freeze: no watchdog armed, nothing fenced or recovered; 'ha-manager crm-command arm-ha' arms it\)$/m);
    assert.match(verbose, /^node1 +online +wait_for_agent_lock +disarm /m);
    const json = JSON.parse((await runCli(['status', '--output-format', 'json', '--dir', dir])).stdout);
    assert.deepEqual(json.disarm, { mode: 'freeze', state: 'disarmed' });
    const armed = JSON.parse((await runCli(['status', '--output-format', 'json', '--dir', clusterDir(nowMs)])).stdout);
    assert.equal(armed.disarm, null);
    assert.doesNotMatch((await runCli(['status', '--dir', clusterDir(nowMs)])).stdout, /disarm/, 'an armed stack prints what Proxmox prints');
  });

  it('--verbose adds move targets and the leases', async () => {
    const result = await runCli(['status', '--verbose', '--dir', clusterDir(Date.now())]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^SERVICE  STATE {4}NODE {3}TARGET  REQUESTED  NOTE$/m);
    assert.match(result.stdout, /^vm:102 {3}migrate  node1  node3 {3}started {4}moving to node3$/m);
    assert.match(result.stdout, /^LEASE {8}GENERATION  HOLDER  AGE +RELEASED$/m);
    assert.match(result.stdout, /^manager {6}4 {11}node1 {3}\d+s +no$/m);
  });

  it('--verbose says "no master" when there is no lease or it was released, and flags an expired lease', async () => {
    const empty = await runCli(['status', '--verbose', '--dir', freshDir()]);
    assert.deepEqual(empty, { code: 0, stdout: 'no master\nHA stack armed\n\nno HA resources configured\n', stderr: '' });
    const dir = clusterDir(Date.now());
    write(dir, 'leases/manager.4/released', '');
    assert.match((await runCli(['status', '--verbose', '--dir', dir])).stdout, /^no master\n/);
    assert.match((await runCli(['status', '--dir', dir])).stdout, /^quorum No quorum: no node holds the manager lease/);
    const expired = clusterDir(Date.now());
    write(expired, 'leases/manager.4/heartbeat', { counter: 9, node: 'node1', wallMs: Date.now() - 300_000 });
    assert.match((await runCli(['status', '--verbose', '--dir', expired])).stdout, /^master node1 \(lease age 5m0\ds, expired: not renewed within the lease timeout\)\n/);
  });

  it('judges the master lease by the fence_timeout of ha.cfg (default 60 s), also when another config file is broken', async () => {
    const masterLine = async (dir: string) => (await runCli(['status', '--verbose', '--dir', dir])).stdout.split('\n').find((line) => line.startsWith('master ')) ?? '';
    const dir = clusterDir(Date.now());
    write(dir, 'leases/manager.4/heartbeat', { counter: 9, node: 'node1', wallMs: Date.now() - 90_000 });
    assert.match(await masterLine(dir), /expired: not renewed within the lease timeout/, 'no ha.cfg: the default fence timeout');
    write(dir, 'ha.cfg', 'ha: cluster\n\tfence_timeout 120\n');
    assert.doesNotMatch(await masterLine(dir), /expired/);
    write(dir, 'resources.cfg', 'vm: 100\n\tcolour blue\n');
    assert.doesNotMatch(await masterLine(dir), /expired/, 'a broken resources.cfg leaves the timings of ha.cfg in force');
    write(dir, 'ha.cfg', 'ha: cluster\n\tfence_timeout soon\n');
    assert.match(await masterLine(dir), /expired/, 'a broken ha.cfg: the default fence timeout');
  });

  it('names a corrupt status file in one line, exit 1, no stack trace', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['status/manager.json', '{"node_status": {"node1": "onl', /^ha-manager: .*\/status\/manager\.json: Unterminated string in JSON at position 30\n$/],
      ['status/lrm/node1.json', '{"state": "dancing"}', /^ha-manager: .*\/status\/lrm\/node1\.json: Unknown LRM state 'dancing'\n$/],
      ['status/fenced/node3.json', '{"why": 1}', /^ha-manager: .*\/status\/fenced\/node3\.json: Bad node undefined; reason must be a non-empty string of at most 1000 characters; wallMs must be an integer, got undefined\n$/],
      ['leases/manager.4/heartbeat', '\u0000\u0000', /^ha-manager: .*\/leases\/manager\.4\/heartbeat: Corrupt lease file, not JSON\n$/],
    ];
    for (const [file, content, stderr] of cases) {
      const dir = clusterDir(Date.now());
      write(dir, file, content);
      const result = await runCli(['status', '--dir', dir]);
      assert.equal(result.code, 1, file);
      assert.match(result.stderr, stderr);
      assert.equal(result.stdout, '');
    }
  });

  it('still shows the cluster when the config does not load, and says why', async () => {
    const dir = clusterDir(Date.now());
    write(dir, 'groups.cfg', 'group: all\n\tnodes node1,,node2\n');
    const result = await runCli(['status', '--dir', dir]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^config: not loadable: .*groups\.cfg:2: Option 'nodes': Bad node entry '', expected node\[:priority\]\nquorum OK\nmaster node1/);
  });
});
