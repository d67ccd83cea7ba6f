import { strict as assert } from 'node:assert';
import type { NodeReport, ServiceReport, StatusReport } from '../../src/cli/status-report.ts';
import { diffBaseOf, diffStatus } from '../../src/web/status-diff.ts';
import { applyStatusPatch } from '../../src/web/static/status-patch.js';

function node(name: string, overrides: Partial<NodeReport> = {}): NodeReport {
  return {
    node: name,
    declared: true,
    state: 'online',
    lrmState: 'active',
    lrmMode: 'active',
    heartbeatAgeMs: 500,
    maintenance: 'no',
    fenced: null,
    fence: { attempt: null, ackBy: null, lastProof: null },
    ...overrides,
  };
}

function service(sid: string, overrides: Partial<ServiceReport> = {}): ServiceReport {
  return { sid, state: 'started', node: 'node1', target: null, requestedState: 'started', error: null, lastFailure: null, waitsFor: null, comment: null, ...overrides };
}

function report(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    wallMs: 1000,
    master: { node: 'node1', leaseGeneration: 3, leaseAgeMs: 200, isExpired: false },
    nodes: [node('node1'), node('node2')],
    services: [service('vm:100'), service('vm:101', { node: 'node2' })],
    leases: [{ name: 'manager', generation: 3, holder: 'node1', ageMs: 200, isReleased: false }],
    fenceTimeoutMs: 60_000,
    quorum: { isOk: true, reason: null },
    queuedRequests: [],
    disarm: null,
    ...overrides,
  };
}

/** Diffs, checks the patch holds only what is named, and that applying it gives `after` exactly. */
function roundTrip(before: StatusReport, after: StatusReport) {
  const patch = diffStatus(diffBaseOf(before), diffBaseOf(after));
  assert.ok(patch !== null, 'a change gives a patch');
  assert.deepEqual(applyStatusPatch(before, patch), after);
  return patch;
}

describe('web: status diff (server) and patch (page)', () => {
  it('nothing but the time changed: no patch', () => {
    assert.equal(diffStatus(diffBaseOf(report()), diffBaseOf(report({ wallMs: 2000 }))), null);
  });

  it('one service of many changes: the patch carries that service only', () => {
    const services = Array.from({ length: 1000 }, (_, index) => service(`vm:${1000 + index}`));
    const before = report({ services });
    const after = report({ services: services.map((entry) => (entry.sid === 'vm:1500' ? { ...entry, state: 'fence' as const } : entry)) });
    const patch = roundTrip(before, after);
    assert.deepEqual(patch.services?.upsert.map(([key]) => key), ['vm:1500']);
    assert.equal(patch.services?.order, undefined, 'no order when no key came or went');
    assert.equal(patch.nodes, undefined);
  });

  it('a node turns unknown and its heartbeat ages: one node entry', () => {
    const after = report({ nodes: [node('node1', { state: 'unknown', heartbeatAgeMs: 9000 }), node('node2')] });
    const patch = roundTrip(report(), after);
    assert.deepEqual(patch.nodes?.upsert.map(([key]) => key), ['node1']);
  });

  it('services added and removed: the new order comes along', () => {
    const after = report({ services: [service('vm:099'), service('vm:101', { node: 'node2' }), service('vm:102')] });
    const patch = roundTrip(report(), after);
    assert.deepEqual(patch.services?.remove, ['vm:100']);
    assert.deepEqual(patch.services?.order, ['vm:099', 'vm:101', 'vm:102']);
  });

  it('top fields: master gone, configError set, then cleared', () => {
    const broken = report({ master: null, configError: 'resources.cfg line 3: bad' });
    const patch = roundTrip(report(), broken);
    assert.deepEqual(Object.keys(patch.top ?? {}).sort(), ['configError', 'master']);
    const healed = roundTrip(broken, report());
    assert.equal(healed.top?.configError, null);
  });

  it('two equal requests queued in one millisecond stay two entries', () => {
    const queued = { request: 'migrate vm:100 node2', queuedWallMs: 900, ageMs: 100 };
    const before = report({ queuedRequests: [queued] });
    const after = report({ queuedRequests: [{ ...queued, ageMs: 150 }, { ...queued, ageMs: 150 }] });
    const patch = roundTrip(before, after);
    assert.deepEqual(patch.queuedRequests?.upsert.map(([key]) => key), ['900 migrate vm:100 node2', '900 migrate vm:100 node2#1']);
    roundTrip(after, report());
  });
});
