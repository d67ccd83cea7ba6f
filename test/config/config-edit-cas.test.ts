import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editConfig, tryEditConfig } from '../../src/config/config-edit.ts';
import { addGroup } from '../../src/config/group-edit.ts';
import { addResource } from '../../src/config/resource-edit.ts';
import { ownIdentity, tryConfigLock } from '../../src/store/config-lock.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

const GROUPS = 'group: web\n\tnodes node1,node2\n\n';
const RESOURCES = 'vm: 100\n\tgroup web\n\n';

/**
 * Edits read without the lock and write by compare-and-set (config-edit.ts): an edit that raced
 * another writer must neither lose that writer's change nor half-write its own.
 */
describe('editConfig by compare-and-set on the store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-cas-'));
    writeFileSync(join(dir, 'groups.cfg'), GROUPS);
    writeFileSync(join(dir, 'resources.cfg'), RESOURCES);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');

  it('an edit whose file changed after it was read is not written, and the retry keeps both changes', () => {
    const store = new DirClusterStore(dir);
    let attempts = 0;
    editConfig(store, (documents, current) => {
      attempts++;
      // Another writer lands between this edit's read and its write, once.
      if (attempts === 1) writeFileSync(join(dir, 'resources.cfg'), `${RESOURCES}ct: 200\n\tgroup web\n\n`);
      addResource(documents, { current, sid: 'vm:101', options: { group: 'web' } });
    });
    assert.equal(attempts, 2);
    assert.match(read('resources.cfg'), /ct: 200/);
    assert.match(read('resources.cfg'), /vm: 101/);
  });

  it('an edit of two files writes neither when one of them changed meanwhile', () => {
    const store = new DirClusterStore(dir);
    const outcome = tryEditConfig(store, (documents, current) => {
      addGroup(documents, { group: 'db', options: { nodes: 'node1' } });
      addResource(documents, { current, sid: 'vm:102', options: { group: 'web' } });
      writeFileSync(join(dir, 'resources.cfg'), `${RESOURCES}\n`); // changed under it: same meaning, other bytes
    });
    assert.equal(outcome.kind, 'conflict');
    assert.equal(read('groups.cfg'), GROUPS, 'groups.cfg not written either');
    assert.equal(read('resources.cfg'), `${RESOURCES}\n`);
  });

  it("a daemon's store never waits for a busy config lock: the attempt is a conflict, nothing written", () => {
    const lock = tryConfigLock(dir, ownIdentity('node2'));
    assert.equal(lock.kind, 'taken');
    try {
      const store = new DirClusterStore(dir, { waitMsMax: 0 });
      const startMs = Date.now();
      const outcome = tryEditConfig(store, (documents, current) => addResource(documents, { current, sid: 'vm:103', options: { group: 'web' } }));
      assert.equal(outcome.kind, 'conflict');
      assert.ok(Date.now() - startMs < 1000, 'it did not wait');
      assert.equal(read('resources.cfg'), RESOURCES);
    } finally {
      if (lock.kind === 'taken') lock.release();
    }
  });

  it('an edit that changes nothing writes nothing', () => {
    const store = new DirClusterStore(dir);
    const outcome = tryEditConfig(store, () => 'looked');
    assert.deepEqual(outcome, { kind: 'written', result: 'looked', isChanged: false });
  });
});
