import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigRefused, editConfig, updateResourceConfig } from '../../src/config/config-edit.ts';
import { addGroup, removeGroup, setGroup } from '../../src/config/group-edit.ts';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { addResource, removeResource, setResource } from '../../src/config/resource-edit.ts';
import { ConfigError } from '../../src/config/section-config.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

const GROUPS = 'group: web\n\tnodes node1:2,node2\n\trestricted 1\n\n';
const RESOURCES = 'vm: 100\n\tgroup web\n\tstate started\n\n';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ha-edit-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

describe('editConfig and the resource and group edits', () => {
  it('adds a resource as a new Proxmox-style section and leaves the other files alone', () => {
    const dir = dirWith({ 'groups.cfg': GROUPS, 'resources.cfg': RESOURCES });
    editConfig(new DirClusterStore(dir), (documents, current) => addResource(documents, { current: current, sid: 'ct:200', options: { node: 'node2', max_restart: '2' } }));
    assert.equal(read(dir, 'resources.cfg'), `${RESOURCES}ct: 200\n\tmax_restart 2\n\tnode node2\n\n`);
    assert.equal(read(dir, 'groups.cfg'), GROUPS);
    assert.equal(existsSync(join(dir, 'ha.cfg')), false, 'an unchanged missing file is not created');
  });

  it('refuses an existing sid, an unknown group and a bad option, and writes nothing', () => {
    const dir = dirWith({ 'groups.cfg': GROUPS, 'resources.cfg': RESOURCES });
    const attempts: Array<[() => void, RegExp]> = [
      [() => editConfig(new DirClusterStore(dir), (d, c) => addResource(d, { current: c, sid: 'vm:100', options: { node: 'node1' } })), /^Resource vm:100 already exists \(.*resources\.cfg line 1\); change it with 'ha-manager set vm:100'$/],
      [() => editConfig(new DirClusterStore(dir), (d, c) => addResource(d, { current: c, sid: 'vm:101', options: { group: 'db' } })), /^Unknown group 'db'; create it with/],
      [() => editConfig(new DirClusterStore(dir), (d, c) => addResource(d, { current: c, sid: 'vm:7', options: { node: 'node1' } })), /^Bad service id 'vm:7'/],
      [() => editConfig(new DirClusterStore(dir), (d, c) => setResource(d, { current: c, sid: 'vm:100', change: { set: { state: 'on' }, delete: [] } })), /^Option 'state': Bad state 'on'/],
      [() => editConfig(new DirClusterStore(dir), (d, c) => setResource(d, { current: c, sid: 'vm:100', change: { set: {}, delete: ['colour'] } })), /^--delete: Unknown resource option 'colour'/],
      [() => editConfig(new DirClusterStore(dir), (d, c) => setResource(d, { current: c, sid: 'vm:999', change: { set: { state: 'stopped' }, delete: [] } })), /^Unknown resource vm:999/],
      [() => editConfig(new DirClusterStore(dir), (d) => removeResource(d, 'ct:555')), /^Unknown resource ct:555/],
    ];
    for (const [attempt, message] of attempts) assert.throws(attempt, (error: unknown) => error instanceof ConfigRefused && message.test(error.message));
    assert.equal(read(dir, 'resources.cfg'), RESOURCES);
    assert.equal(read(dir, 'groups.cfg'), GROUPS);
  });

  it('adds a resource without a node, and lets one lose its group: the master places such a service', () => {
    const dir = dirWith({ 'groups.cfg': GROUPS, 'resources.cfg': RESOURCES });
    editConfig(new DirClusterStore(dir), (d, c) => addResource(d, { current: c, sid: 'vm:101', options: {} }));
    editConfig(new DirClusterStore(dir), (d, c) => setResource(d, { current: c, sid: 'vm:100', change: { set: {}, delete: ['group'] } }));
    assert.equal(read(dir, 'resources.cfg'), 'vm: 100\n\tstate started\n\nvm: 101\n\n');
    const { config } = loadHaConfig(new DirClusterStore(dir));
    assert.deepEqual([config.resources['vm:100']!.node, config.resources['vm:101']!.node], [undefined, undefined]);
  });

  it('sets and deletes options of a resource in place', () => {
    const dir = dirWith({ 'groups.cfg': GROUPS, 'resources.cfg': RESOURCES });
    editConfig(new DirClusterStore(dir), (d, c) => setResource(d, { current: c, sid: 'vm:100', change: { set: { state: 'enabled', comment: 'web' }, delete: [] } }));
    assert.equal(read(dir, 'resources.cfg'), 'vm: 100\n\tcomment web\n\tgroup web\n\tstate started\n\n');
    editConfig(new DirClusterStore(dir), (d, c) => setResource(d, { current: c, sid: 'vm:100', change: { set: {}, delete: ['comment'] } }));
    assert.equal(read(dir, 'resources.cfg'), RESOURCES);
  });

  it('refuses to remove a group a resource uses; a removed group is unknown afterwards', () => {
    const dir = dirWith({ 'groups.cfg': GROUPS, 'resources.cfg': RESOURCES });
    assert.throws(
      () => editConfig(new DirClusterStore(dir), (d, c) => removeGroup(d, { current: c, group: 'web' })),
      (error: unknown) => error instanceof ConfigRefused && /^Group 'web' is used by vm:100; change their group first/.test(error.message),
    );
    editConfig(new DirClusterStore(dir), (d, c) => setResource(d, { current: c, sid: 'vm:100', change: { set: { node: 'node1' }, delete: ['group'] } }));
    editConfig(new DirClusterStore(dir), (d, c) => removeGroup(d, { current: c, group: 'web' }));
    assert.equal(read(dir, 'groups.cfg'), '');
    assert.throws(() => editConfig(new DirClusterStore(dir), (d, c) => setResource(d, { current: c, sid: 'vm:100', change: { set: { group: 'web' }, delete: [] } })), /Unknown group 'web'/);
  });

  it('adds and changes groups, refusing duplicates, a missing node list and deleting nodes', () => {
    const dir = dirWith({});
    editConfig(new DirClusterStore(dir), (d) => addGroup(d, { group: 'db', options: { nodes: 'node1,node2:3', nofailback: '1' } }));
    assert.equal(read(dir, 'groups.cfg'), 'group: db\n\tnodes node1,node2:3\n\tnofailback 1\n\n');
    assert.throws(() => editConfig(new DirClusterStore(dir), (d) => addGroup(d, { group: 'db', options: { nodes: 'node3' } })), /ConfigRefused: Group 'db' already exists/);
    assert.throws(() => editConfig(new DirClusterStore(dir), (d) => addGroup(d, { group: 'web', options: {} })), /ConfigRefused: Group 'web' needs --nodes/);
    assert.throws(() => editConfig(new DirClusterStore(dir), (d) => addGroup(d, { group: 'x', options: { nodes: 'a:b' } })), /ConfigRefused: Option 'nodes': Bad node entry 'a:b'/);
    assert.throws(() => editConfig(new DirClusterStore(dir), (d) => setGroup(d, { group: 'db', change: { set: {}, delete: ['nodes'] } })), /cannot be without 'nodes'/);
    editConfig(new DirClusterStore(dir), (d) => setGroup(d, { group: 'db', change: { set: { restricted: '1', comment: 'rack 2' }, delete: ['nofailback'] } }));
    assert.equal(read(dir, 'groups.cfg'), 'group: db\n\tcomment rack 2\n\tnodes node1,node2:3\n\trestricted 1\n\n');
  });

  it('does not write over a config file that does not load', () => {
    const broken = 'vm: 100\n\tstate sideways\n';
    const dir = dirWith({ 'resources.cfg': broken });
    assert.throws(() => editConfig(new DirClusterStore(dir), (d) => addGroup(d, { group: 'db', options: { nodes: 'node1' } })), ConfigError);
    assert.equal(read(dir, 'resources.cfg'), broken);
    assert.equal(existsSync(join(dir, 'groups.cfg')), false);
  });

  it('updateResourceConfig records the node and state the master decided', () => {
    const dir = dirWith({ 'groups.cfg': GROUPS, 'resources.cfg': RESOURCES });
    assert.equal(updateResourceConfig(new DirClusterStore(dir), 'vm:100', { node: 'node2', state: 'stopped' }), true);
    assert.equal(read(dir, 'resources.cfg'), 'vm: 100\n\tgroup web\n\tnode node2\n\tstate stopped\n\n');
    assert.equal(loadHaConfig(new DirClusterStore(dir)).config.resources['vm:100']!.node, 'node2');
    assert.equal(updateResourceConfig(new DirClusterStore(dir), 'vm:404', { node: 'node2' }), false);
  });
});
