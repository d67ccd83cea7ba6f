import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeConfigSource } from '../../src/env/node-config.ts';
import { NodeCrmEnv } from '../../src/env/node-crm-env.ts';
import { NodeJournal } from '../../src/env/node-journal.ts';
import { DirLeaseStore } from '../../src/store/dir-lease-store.ts';
import { agentLease } from '../../src/store/lease-store.ts';
import { createSharedDirLayout, sharedPaths } from '../../src/store/shared-dir.ts';
import { daemonStore } from './daemon-store.ts';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('NodeCrmEnv: every CRM watches every agent lease, so a new master need not start its wait from zero', function () {
  this.timeout(60_000);
  let dir: string;
  const journals: NodeJournal[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-crm-env-'));
    createSharedDirLayout(dir);
    writeFileSync(join(dir, 'resources.cfg'), 'vm: 103\n\tnode node3\n');
    // A short fence timeout, so the test waits seconds: 3 s, rounds of 100 ms.
    writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tfence_timeout 3\n\tround 100ms\n\twatchdog_client_timeout 1\n');
  });
  afterEach(() => {
    for (const journal of journals.splice(0)) journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function crmEnv(node: string): NodeCrmEnv {
    const journal = new NodeJournal(join(dir, `${node}.sqlite`));
    journals.push(journal);
    const store = daemonStore(dir, node);
    const config = NodeConfigSource.load(store, () => {});
    return new NodeCrmEnv({ daemon: 'crm', node, store, config, journal, watchdogSocket: join(dir, 'no-mux.sock'), isWithoutWatchdog: false, onWatchdogFailure: () => {}, print: () => {} });
  }

  it('a slave that watched node3 stop renewing takes its lease one fence timeout later; a CRM that looks first then waits a full one more', async () => {
    const node3 = new DirLeaseStore({ leasesPath: sharedPaths(dir).leases, node: 'node3', leaseTimeoutMs: 3000 });
    const now = () => Math.floor(performance.now());
    assert.equal(node3.acquire(agentLease('node3'), now()), 'taken');
    const watcher = crmEnv('node1');
    const latecomer = crmEnv('node2');
    assert.equal(watcher.timing.leaseTimeoutMs, 3000);
    // node3 renews for a while, watched every round by node1 (a slave: it never asks to take the lease).
    for (let round = 0; round < 10; round++) {
      assert.equal(node3.acquire(agentLease('node3'), now()), 'renewed');
      watcher.beginRound();
      watcher.observeAgentLeases();
      await sleep(100);
    }
    const lastRenewalMs = Date.now();
    // node3 is cut off: no more renewals. node1 keeps looking every round.
    while (Date.now() - lastRenewalMs < 3200) {
      watcher.beginRound();
      watcher.observeAgentLeases();
      await sleep(100);
    }
    latecomer.beginRound();
    assert.equal(latecomer.tryAgentLeaseOf('node3'), 'refused', 'a first look starts the wait');
    watcher.beginRound();
    assert.equal(watcher.tryAgentLeaseOf('node3'), 'reset', 'node3\'s own lease, seen unchanged for more than the fence timeout: its watchdog reset it');
    assert.equal(watcher.tryAgentLeaseOf('node3'), 'held', 'taken already: held');
  });
});
