import { strict as assert } from 'node:assert';
import type { GroupConfig, ResourceConfig } from '../../../src/common/ha-config.ts';
import type { LrmStatus } from '../../../src/common/lrm-status.ts';
import { newServiceStatus, type ServiceStatus } from '../../../src/common/manager-status.ts';
import { hasMinVersion } from '../../../src/common/pve-version.ts';
import type { TraceBody } from '../../../src/common/trace.ts';
import { GroupMigration, type GroupMigrationView } from '../../../src/crm/rules/group-migration.ts';

const lrm = (state: LrmStatus['state'], mode: LrmStatus['mode'] = 'active'): LrmStatus => ({ state, mode, results: new Map(), timestampMs: 1 });
const resource = (group?: string): ResourceConfig => ({ node: 'node1', state: 'started', maxRestart: 1, maxRelocate: 1, ...(group ? { group } : {}) });
const GROUPS: Record<string, GroupConfig> = { g: { nodes: { node1: 1 }, restricted: false, nofailback: true } };

function view(overrides: Partial<GroupMigrationView> = {}): GroupMigrationView {
  const services: Array<[string, ServiceStatus]> = [['vm:1', newServiceStatus('started', 'node1', 'u')]];
  return {
    groups: GROUPS,
    resources: { 'vm:1': resource('g'), 'vm:2': resource() },
    isQuorate: true,
    nodes: [['node1', 'online'], ['node2', 'online']],
    lrmStatus: (node) => (node === 'node1' ? lrm('active') : lrm('wait_for_agent_lock')),
    nodeVersion: () => '9.0.0',
    services,
    ...overrides,
  };
}

/** The passes at which the migration reports, and what. */
function attempts(migration: GroupMigration, passes: number, input: GroupMigrationView): Array<[number, TraceBody]> {
  const seen: Array<[number, TraceBody]> = [];
  for (let pass = 1; pass <= passes; pass++) migration.pass(input, (event) => seen.push([pass, event]));
  return seen;
}

describe('GroupMigration (README-5.2 §9.2)', () => {
  it('tries in the third pass and every sixth after, while groups exist', () => {
    const old = view({ nodeVersion: (node) => (node === 'node2' ? '8.4.1' : '9.0.0~16') });
    const seen = attempts(new GroupMigration(), 15, old);
    assert.deepEqual(seen.map(([pass]) => pass), [3], 'the same reason is said once');
    assert.deepEqual(seen[0]![1], { ev: 'group-migration', result: 'failed', reason: "node 'node2' needs at least pve-manager version '9.0.0~16'" });
    assert.deepEqual(attempts(new GroupMigration(), 9, view({ groups: {} })), []);
    const migration = new GroupMigration();
    let version = '8.4.1';
    const passes: number[] = [];
    for (let pass = 1; pass <= 15; pass++) {
      if (pass === 8) version = '9.0.0';
      migration.pass(view({ nodeVersion: () => version }), () => passes.push(pass));
    }
    // Failed at 3, done at 9; a real write leaves no groups, this view keeps them, so 15 tries again.
    assert.deepEqual(passes, [3, 9, 15]);
  });

  it('asks to write the rules and drop the groups once every node qualifies', () => {
    const migration = new GroupMigration();
    migration.pass(view(), () => {});
    migration.pass(view(), () => {});
    const request = migration.pass(view(), () => {});
    assert.deepEqual(request?.resources, [{ sid: 'vm:1', isFailbackOff: true }]);
    assert.deepEqual(request?.rules.map((rule) => [rule.id, rule.resources]), [['ha-group-g', ['vm:1']]]);
  });

  it('refuses while a node is not online, an LRM waits with services to run, or runs in another mode', () => {
    const reason = (input: GroupMigrationView) => {
      const seen = attempts(new GroupMigration(), 3, input);
      return (seen[0]![1] as { reason?: string }).reason;
    };
    assert.match(reason(view({ nodes: [['node1', 'online'], ['node2', 'unknown']] }))!, /node 'node2' is not online/);
    assert.match(reason(view({ lrmStatus: () => lrm('wait_for_agent_lock') }))!, /LRM of node 'node1' is in state 'wait_for_agent_lock'/);
    assert.match(reason(view({ lrmStatus: () => lrm('active', 'maintenance') }))!, /lrm 'node1' is not in mode 'active'/);
    assert.match(reason(view({ nodeVersion: () => undefined }))!, /node 'node1' reports no pve-manager version/);
    assert.match(reason(view({ isQuorate: false }))!, /not quorate/);
  });
});

describe('hasMinVersion', () => {
  it('compares major, minor and patch, then the ~rev only when they are equal', () => {
    assert.equal(hasMinVersion('9.0.0', '9.0.0~16'), true);
    assert.equal(hasMinVersion('9.0.0~16', '9.0.0~16'), true);
    assert.equal(hasMinVersion('9.0.0~15', '9.0.0~16'), false);
    assert.equal(hasMinVersion('9.0.1~2', '9.0.0~16'), true);
    assert.equal(hasMinVersion('8.4.1', '9.0.0~16'), false);
    assert.equal(hasMinVersion('7.4-4', '7.4.3'), true);
    assert.equal(hasMinVersion('nonsense', '9.0.0'), false);
  });
});
