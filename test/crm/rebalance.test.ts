import { strict as assert } from 'node:assert';
import type { ServiceLoad } from '../../src/common/lrm-status.ts';
import { newServiceStatus, type ServiceStatus } from '../../src/common/manager-status.ts';
import type { ServiceState } from '../../src/common/states.ts';
import { clusterImbalance, imbalanceOf, truncateImbalance } from '../../src/crm/imbalance.ts';
import { NodeUsage, type BalanceNode, type StaticSizing } from '../../src/crm/node-usage.ts';
import { migrationCandidates } from '../../src/crm/rebalance-candidates.ts';
import { bestMigration, targetsOf, type MigrationCandidate } from '../../src/crm/rebalance-select.ts';
import type { AffinityView } from '../../src/crm/rules/affinity-view.ts';
import { topsisScores } from '../../src/crm/static-score.ts';

/**
 * The numbers of README-5.2 §7.6, from the inputs of the reference scenarios they were logged in
 * (../shared/conformance/pve-5.2/test-crs-dynamic-*): imbalance, bruteforce, TOPSIS, bundles.
 */

const MIB = 1024 * 1024;
const NODE_MEM = 51539607552; // 48 GiB, the nodes of the dynamic auto-rebalance scenarios
const NODES = ['node1', 'node2', 'node3'];
const hundredths = (value: number) => Math.round(value * 100) / 100;

/** Nodes of 24 CPUs / 48 GiB loaded by the measured services placed on them. */
function measured(loads: Record<string, ServiceLoad>, placement: Record<string, string[]>): BalanceNode[] {
  return NODES.map((node) => {
    const sids = placement[node] ?? [];
    return {
      node,
      maxCpu: 24,
      maxMemBytes: NODE_MEM,
      cpu: sids.reduce((sum, sid) => sum + loads[sid]!.cpu, 0),
      memBytes: sids.reduce((sum, sid) => sum + loads[sid]!.memBytes, 0),
    };
  });
}

/** Every service of the placement as a single-member candidate to every other node. */
function singles(loads: Record<string, ServiceLoad>, placement: Record<string, string[]>): MigrationCandidate[] {
  const candidates: MigrationCandidate[] = [];
  for (const [source, sids] of Object.entries(placement)) {
    for (const sid of sids) candidates.push({ leader: sid, source, preferred: NODES, excluded: new Set(), load: loads[sid]! });
  }
  return candidates.sort((a, b) => (a.leader < b.leader ? -1 : 1));
}

// test-crs-dynamic-auto-rebalance3 / -topsis3: the loads after the first batch of stats changes.
const FIRST: Record<string, ServiceLoad> = {
  'vm:101': { cpu: 0.9, memBytes: 5444206592 },
  'vm:102': { cpu: 1.2, memBytes: 2621440000 },
  'vm:103': { cpu: 0.8, memBytes: 5444206592 },
  'vm:104': { cpu: 0.9, memBytes: 2621440000 },
  'vm:105': { cpu: 7.8, memBytes: 7912 * MIB },
  'vm:106': { cpu: 5.7, memBytes: 8192 * MIB },
  'vm:107': { cpu: 6.0, memBytes: 8011 * MIB },
};
const FIRST_PLACEMENT = { node1: ['vm:101', 'vm:102'], node2: ['vm:103', 'vm:104'], node3: ['vm:105', 'vm:106', 'vm:107'] };
// … and after the second batch, with vm:105 moved to node2.
const SECOND: Record<string, ServiceLoad> = {
  'vm:101': { cpu: 0.9, memBytes: 1011 * MIB },
  'vm:102': { cpu: 1.2, memBytes: 2621440000 },
  'vm:103': { cpu: 3.9, memBytes: 6517 * MIB },
  'vm:104': { cpu: 6.7, memBytes: 8001 * MIB },
  'vm:105': { cpu: 1.8, memBytes: 1201 * MIB },
  'vm:106': { cpu: 2.1, memBytes: 1211 * MIB },
  'vm:107': { cpu: 0.9, memBytes: 1191 * MIB },
};
const SECOND_PLACEMENT = { node1: ['vm:101', 'vm:102'], node2: ['vm:103', 'vm:104', 'vm:105'], node3: ['vm:106', 'vm:107'] };

describe('imbalance (README-5.2 §7.5)', () => {
  it('is the coefficient of variation of the node loads, unclamped: one loaded node of three gives √2', () => {
    assert.equal(imbalanceOf([0.5, 0, 0]), Math.SQRT2);
    assert.equal(imbalanceOf([0.3, 0.3, 0.3]), 0);
    assert.equal(imbalanceOf([0, 0, 0]), 0);
  });

  it('averages the relative CPU and memory use of each node', () => {
    assert.equal(hundredths(clusterImbalance(measured(FIRST, FIRST_PLACEMENT))), 0.85);
    assert.equal(hundredths(clusterImbalance(measured(SECOND, SECOND_PLACEMENT))), 0.81);
  });

  it('truncates to 15 decimal places for comparisons', () => {
    assert.equal(truncateImbalance(0.4000000000000009), 0.4);
    assert.equal(truncateImbalance(0.4000000000000019), 0.400000000000001);
  });
});

describe('choosing a rebalancing move (README-5.2 §7.4 step 3)', () => {
  it('bruteforce: test-crs-dynamic-auto-rebalance3 moves vm:105 to node2 (0.85 → 0.42), then vm:103 to node1 (0.81 → 0.40)', () => {
    const first = bestMigration(measured(FIRST, FIRST_PLACEMENT), singles(FIRST, FIRST_PLACEMENT), 'bruteforce')!;
    assert.deepEqual([first.leader, first.target, hundredths(first.imbalanceAfter)], ['vm:105', 'node2', 0.42]);
    const second = bestMigration(measured(SECOND, SECOND_PLACEMENT), singles(SECOND, SECOND_PLACEMENT), 'bruteforce')!;
    assert.deepEqual([second.leader, second.target, hundredths(second.imbalanceAfter)], ['vm:103', 'node1', 0.4]);
  });

  it('topsis: -topsis3 moves vm:105 to node2 (0.42), then vm:103 to node3 (0.43) although node1 would give 0.40', () => {
    const first = bestMigration(measured(FIRST, FIRST_PLACEMENT), singles(FIRST, FIRST_PLACEMENT), 'topsis')!;
    assert.deepEqual([first.leader, first.target, hundredths(first.imbalanceAfter)], ['vm:105', 'node2', 0.42]);
    const second = bestMigration(measured(SECOND, SECOND_PLACEMENT), singles(SECOND, SECOND_PLACEMENT), 'topsis')!;
    assert.deepEqual([second.leader, second.target, hundredths(second.imbalanceAfter)], ['vm:103', 'node3', 0.43]);
  });

  it('bruteforce breaks exact ties by leader sid, then target', () => {
    const loads = { 'vm:201': { cpu: 4, memBytes: 4096 * MIB }, 'vm:200': { cpu: 4, memBytes: 4096 * MIB } };
    const nodes = measured(loads, { node1: ['vm:200', 'vm:201'] });
    const best = bestMigration(nodes, singles(loads, { node1: ['vm:200', 'vm:201'] }), 'bruteforce')!;
    assert.deepEqual([best.leader, best.target], ['vm:200', 'node2']);
  });

  it('finds no move without candidates', () => {
    assert.equal(bestMigration(measured(FIRST, FIRST_PLACEMENT), [], 'bruteforce'), undefined);
    assert.equal(bestMigration(measured(FIRST, FIRST_PLACEMENT), [{ leader: 'vm:101', source: 'node1', preferred: ['node1'], excluded: new Set(), load: FIRST['vm:101']! }], 'topsis'), undefined);
  });
});

describe('TOPSIS', () => {
  it('scores the alternative at the ideal 1 and the one at the anti-ideal 0', () => {
    const scores = topsisScores([[1, 2, 1.5], [1, 2, 1.5]], [1, 1]);
    assert.deepEqual([...scores], [1, 0, 0.5]);
  });

  it('weights the criteria: the heavier criterion decides', () => {
    const scores = topsisScores([[1, 2], [2, 1]], [1, 10]);
    assert.ok(scores[1]! > scores[0]!);
  });

  it('places test-crs-dynamic-rebalance1 as logged: node1, node2, stays on node3, node1, node2', () => {
    const size = { maxCpu: 8, maxMemBytes: 4294967296 };
    const sids = ['vm:101', 'vm:102', 'vm:103', 'vm:104', 'vm:105'];
    const capacity = { cpus: 32, memoryBytes: 256000000000 };
    const sizing: StaticSizing = {
      mode: 'dynamic',
      sizes: Object.fromEntries(sids.map((sid) => [sid, size])),
      capacities: { node1: capacity, node2: capacity, node3: capacity },
      base: new Map(),
      loads: new Map(),
    };
    const usage = new NodeUsage(NODES, sizing);
    const chosen = sids.map((sid) => {
      const cost = usage.costs(sid);
      const best = [...NODES].sort((a, b) => cost(a) - cost(b) || (a < b ? -1 : 1))[0]!;
      usage.add(sid, best === 'node3' ? { state: 'started', node: 'node3' } : { state: 'request_start_balance', node: 'node3', target: best });
      return best;
    });
    assert.deepEqual(chosen, ['node1', 'node2', 'node3', 'node1', 'node2']);
  });
});

/** A view with one positive group (sorted) and separate nodes per service; every online node preferred. */
function affinity(together: string[], separate: Record<string, string[]> = {}): AffinityView {
  return {
    preferredNodes: () => NODES,
    separateNodes: (sid) => new Set(separate[sid] ?? []),
    positivePartners: (sid) => (together.includes(sid) ? together.filter((other) => other !== sid) : []),
  };
}

function managed(entries: Array<[string, ServiceState, string]>): Array<[string, ServiceStatus]> {
  return entries.map(([sid, state, node]) => {
    const status = newServiceStatus(state, node, 'u');
    status.running = true;
    return [sid, status];
  });
}

describe('rebalancing candidates (README-5.2 §7.4 step 2)', () => {
  const loads: Record<string, ServiceLoad> = {
    'vm:101': { cpu: 0.9, memBytes: 2621440000 },
    'vm:102': { cpu: 7.9, memBytes: 8589934592 },
    'vm:103': { cpu: 4.0, memBytes: 4096 * MIB },
  };
  const dynamicUsage = (entries: Array<[string, ServiceStatus]>, sized = Object.keys(loads)) => {
    const nodes = measured(loads, { node1: ['vm:101', 'vm:102', 'vm:103'] });
    const usage = new NodeUsage(NODES, {
      mode: 'dynamic',
      sizes: Object.fromEntries(sized.map((sid) => [sid, { maxCpu: 8, maxMemBytes: 8 * 1024 * MIB }])),
      capacities: Object.fromEntries(NODES.map((node) => [node, { cpus: 24, memoryBytes: NODE_MEM }])),
      base: new Map(nodes.map((node) => [node.node, { cpu: node.cpu, memBytes: node.memBytes }])),
      loads: new Map(Object.entries(loads)),
    });
    for (const [sid, status] of entries) usage.add(sid, status);
    return { usage, nodes };
  };

  it('moves positive partners as one bundle led by the smallest sid, which wins the tie (test-crs-dynamic-constrained-auto-rebalance2: 1.41 → 0.86)', () => {
    const entries = managed([['vm:101', 'started', 'node1'], ['vm:102', 'started', 'node1'], ['vm:103', 'started', 'node1']]);
    const { usage, nodes } = dynamicUsage(entries);
    const found = migrationCandidates({ entries, service: (sid) => new Map(entries).get(sid), affinity: affinity(['vm:101', 'vm:102']), usage });
    assert.ok(found.ok);
    assert.deepEqual(found.candidates.map((c) => [c.leader, targetsOf(c).join(',')]), [['vm:101', 'node2,node3'], ['vm:103', 'node2,node3']]);
    assert.equal(hundredths(found.candidates[0]!.load.cpu), 8.8);
    assert.equal(hundredths(clusterImbalance(nodes)), 1.41);
    const best = bestMigration(nodes, found.candidates, 'bruteforce')!;
    assert.deepEqual([best.leader, best.target, hundredths(best.imbalanceAfter)], ['vm:101', 'node2', 0.86]);
  });

  it('skips a bundle whose partner moves or sits elsewhere, and leaves out separate nodes', () => {
    const moving = managed([['vm:101', 'started', 'node1'], ['vm:102', 'migrate', 'node1'], ['vm:103', 'started', 'node1']]);
    const split = managed([['vm:101', 'started', 'node1'], ['vm:102', 'started', 'node2'], ['vm:103', 'started', 'node1']]);
    for (const entries of [moving, split]) {
      const found = migrationCandidates({ entries, service: (sid) => new Map(entries).get(sid), affinity: affinity(['vm:101', 'vm:102'], { 'vm:103': ['node2'] }), usage: dynamicUsage(entries).usage });
      assert.ok(found.ok);
      assert.deepEqual(found.candidates.map((c) => [c.leader, targetsOf(c).join(',')]), [['vm:103', 'node3']]);
    }
  });

  it('scores nothing when a member is not in the usage (no size, or its node is not online)', () => {
    const entries = managed([['vm:101', 'started', 'node1'], ['vm:103', 'started', 'node1']]);
    const { usage } = dynamicUsage(entries, ['vm:101']);
    const found = migrationCandidates({ entries, service: (sid) => new Map(entries).get(sid), affinity: affinity([]), usage });
    assert.equal(found.ok, false);
  });
});
