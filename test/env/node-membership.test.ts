import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/common/ha-config.ts';
import type { HaConfig } from '../../src/env/env.ts';
import { NodeMembership } from '../../src/env/node-membership.ts';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';

const config: HaConfig = {
  resources: { 'vm:101': { node: 'node2', state: 'started', maxRestart: 1, maxRelocate: 1 } },
  groups: { g: { nodes: { node3: 1 }, restricted: false, nofailback: false } },
  rules: [],
  settings: DEFAULT_CLUSTER_SETTINGS,
  serviceSizes: {},
  nodeCapacities: {},
};

describe('NodeMembership: who is a member, judged from the shared directory', () => {
  let dir: string;
  let store: DirStatusStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-membership-'));
    createSharedDirLayout(dir);
    store = new DirStatusStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const publish = (node: string, timestampMs: number) => store.writeLrmStatus(node, { state: 'active', mode: 'active', results: new Map(), timestampMs });

  it('lists nodes from config and LRM statuses; a node whose LRM status keeps changing stays a member', () => {
    publish('node2', 1);
    publish('node4', 1);
    const membership = new NodeMembership('node1', store, 3_000);
    let view = membership.sample(0, config, true);
    assert.deepEqual(view.nodes, ['node1', 'node2', 'node3', 'node4']);
    assert.equal(view.isQuorate, true);
    assert.deepEqual(view.nodes.filter((node) => view.isMember(node)), ['node1', 'node2', 'node4'], 'node3 never published: not a member');
    publish('node2', 2);
    view = membership.sample(3_500, config, true);
    assert.deepEqual(view.nodes.filter((node) => view.isMember(node)), ['node1', 'node2'], 'node4 silent for 3.5 s of this node\'s clock');
  });

  it('a node that cannot reach the shared directory is neither quorate nor a member, nor sees members', () => {
    publish('node2', 1);
    const view = new NodeMembership('node1', store, 3_000).sample(0, config, false);
    assert.equal(view.isQuorate, false);
    assert.deepEqual(view.nodes.filter((node) => view.isMember(node)), []);
  });
});
