import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeConfigSource } from '../../src/env/node-config.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

function sharedDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ha-env-config-'));
  createSharedDirLayout(dir);
  writeFileSync(join(dir, 'resources.cfg'), 'vm: 101\n\tnode node1\n');
  writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tround 2s\n\tshutdown_policy freeze\n');
  return dir;
}

async function until(isDone: () => boolean, what: string): Promise<void> {
  for (let waitedMs = 0; !isDone(); waitedMs += 20) {
    if (waitedMs > 5_000) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('NodeConfigSource: the shared config as a daemon sees it', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('loads config and timings, and returns the same object until something changed', () => {
    const dir = sharedDir();
    dirs.push(dir);
    const source = NodeConfigSource.load(new DirClusterStore(dir), () => {});
    assert.equal(source.timing.roundMs, 2_000);
    const first = source.read();
    assert.equal(first.resources['vm:101']?.node, 'node1');
    assert.equal(first.settings.shutdownPolicy, 'freeze');
    assert.equal(source.reload(), true);
    assert.equal(source.read(), first, 'an unchanged reload keeps the object (the manager skips work on it)');
  });

  it('reloads on a chokidar event, bumps the generation on a resource change, keeps the last good config on a parse error', async () => {
    const dir = sharedDir();
    dirs.push(dir);
    const logged: string[] = [];
    const source = NodeConfigSource.load(new DirClusterStore(dir), (line) => logged.push(line));
    source.watch();
    try {
      const before = source.read();
      await new Promise((resolve) => setTimeout(resolve, 200)); // let the watcher get ready
      writeFileSync(join(dir, 'resources.cfg.tmp'), 'vm: 101\n\tnode node2\n');
      renameSync(join(dir, 'resources.cfg.tmp'), join(dir, 'resources.cfg'));
      await until(() => source.read().resources['vm:101']?.node === 'node2', 'the edit to be seen');
      assert.ok((source.read().generation ?? 0) > (before.generation ?? 0));
      await new Promise((resolve) => setTimeout(resolve, 300)); // chokidar coalesces changes of one file within its throttle
      writeFileSync(join(dir, 'resources.cfg.tmp'), 'vm: 101\n\tnode node2\n\tbogus_option 1\n');
      renameSync(join(dir, 'resources.cfg.tmp'), join(dir, 'resources.cfg'));
      await until(() => source.read() !== undefined && logged.length > 0, 'the parse error to be logged at a read');
      assert.match(logged[0]!, /resources\.cfg:3: .*bogus_option/);
      assert.equal(source.read().resources['vm:101']?.node, 'node2', 'the last good config stays in force');
    } finally {
      await source.close();
    }
  });

  it('notices a changed file without an event, at the per-round check (network filesystems)', () => {
    const dir = sharedDir();
    dirs.push(dir);
    const source = NodeConfigSource.load(new DirClusterStore(dir), () => {});
    source.checkFiles();
    source.read();
    writeFileSync(join(dir, 'resources.cfg'), 'vm: 101\n\tnode node3\n\tcomment x\n');
    assert.equal(source.read().resources['vm:101']?.node, 'node1', 'no watcher, no check: not seen yet');
    source.checkFiles();
    assert.equal(source.read().resources['vm:101']?.node, 'node3');
  });

  it('notices a new rules.cfg at the per-round check, and keeps the resources generation (only rules changed)', () => {
    const dir = sharedDir();
    dirs.push(dir);
    const source = NodeConfigSource.load(new DirClusterStore(dir), () => {});
    source.checkFiles();
    const before = source.read();
    writeFileSync(join(dir, 'rules.cfg'), 'node-affinity: pin\n\tresources vm:101\n\tnodes node2\n');
    source.checkFiles();
    const after = source.read();
    assert.deepEqual(after.rules.map((rule) => rule.id), ['pin']);
    assert.notEqual(after, before, 'a new config object: the master compares its rules');
    assert.equal(after.generation, before.generation);
  });

  it('notices a new fence.cfg at the per-round check, and keeps the last good one when a change does not parse', () => {
    const dir = sharedDir();
    dirs.push(dir);
    const lines: string[] = [];
    const source = NodeConfigSource.load(new DirClusterStore(dir), (line) => lines.push(line));
    source.checkFiles();
    assert.equal(source.read().fence, undefined);
    writeFileSync(join(dir, 'fence.cfg'), 'device pdu fence_dummy\nconnect pdu node=node1\n');
    source.checkFiles();
    assert.deepEqual(source.read().fence?.connects.map((connect) => connect.node), ['node1']);
    writeFileSync(join(dir, 'fence.cfg'), 'device pdu fence_dummy\nconnect pdu node=node1 password="unterminated\n');
    source.checkFiles();
    assert.deepEqual(source.read().fence?.connects.map((connect) => connect.node), ['node1']);
    assert.deepEqual(lines, [`Config not reloaded, keeping the last good one: ${join(dir, 'fence.cfg')}:2: Unterminated quote in the value of 'password'`]);
  });

  it('keeps the last good config while the shared directory is unreachable (a missing file would read as empty)', () => {
    const dir = sharedDir();
    const root = mkdtempSync(join(tmpdir(), 'ha-env-link-'));
    dirs.push(dir, root);
    const link = join(root, 'shared');
    symlinkSync(dir, link);
    const source = NodeConfigSource.load(new DirClusterStore(link), () => {});
    rmSync(link);
    symlinkSync('/nonexistent/ha-test', link);
    assert.equal(source.reload(), false);
    assert.deepEqual(Object.keys(source.read().resources), ['vm:101']);
  });

  it('logs a timing change but keeps the timings it started with', () => {
    const dir = sharedDir();
    dirs.push(dir);
    const logged: string[] = [];
    const source = NodeConfigSource.load(new DirClusterStore(dir), (line) => logged.push(line));
    writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tround 3s\n');
    assert.equal(source.reload(), true);
    assert.equal(source.timing.roundMs, 2_000);
    assert.match(logged.join('\n'), /ha\.cfg changed: they take effect when the daemons restart/);
  });

  it('checks resources against a changed driver mapping at once, keeps the one the LRM started with, and says so', () => {
    const dir = sharedDir();
    dirs.push(dir);
    writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tdrivers vm=sim\n');
    const logged: string[] = [];
    const source = NodeConfigSource.load(new DirClusterStore(dir), (line) => logged.push(line));
    assert.equal(source.driverKinds.vm, 'sim');
    writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tdrivers vm=sim,web=systemd\n');
    writeFileSync(join(dir, 'resources.cfg'), 'web: nginx\n\tnode node1\n');
    assert.equal(source.reload(), true);
    assert.deepEqual(Object.keys(source.read().resources), ['web:nginx'], 'the new type is accepted at once');
    assert.equal(source.driverKinds.web, undefined, 'the LRM keeps the drivers it was built with');
    assert.match(logged.join('\n'), /Drivers in .*ha\.cfg changed: the LRM uses them when it restarts/);
    writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tdrivers vm=sim\n');
    assert.equal(source.reload(), false, 'a type taken away makes its resources a config error');
    assert.match(logged.at(-1) ?? '', /resources\.cfg:1: Unknown service type 'web' of web:nginx/);
  });
});
