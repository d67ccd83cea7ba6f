import { strict as assert } from 'node:assert';
import { FAST_TIMING } from '../../../src/cluster/cluster-config.ts';
import {
  describeFault,
  disturbedNodesMax,
  faultLengthMs,
  planSwarm,
  resetRevealMs,
  SWARM_ETCD_FAULT_KINDS,
  SWARM_FAULT_KINDS,
  isEtcdFault,
  type SwarmFault,
  type SwarmPlanOptions,
} from '../../../src/cluster/swarm/swarm-plan.ts';

const OPTIONS: SwarmPlanOptions = { nodes: 3, services: 6, faultPhaseMs: 10 * 60_000, kinds: SWARM_FAULT_KINDS, timing: FAST_TIMING };
const SEEDS = Array.from({ length: 40 }, (_, index) => index + 1);

function nodeFaults(faults: readonly SwarmFault[]) {
  return faults.flatMap((fault) => (fault.kind === 'cli' || isEtcdFault(fault) ? [] : [fault]));
}

describe('cluster swarm plan: a pure function of the seed', () => {
  it('the same seed and options give the same plan; another seed another one', () => {
    assert.deepEqual(planSwarm(7, OPTIONS), planSwarm(7, OPTIONS));
    assert.notDeepEqual(planSwarm(7, OPTIONS).faults, planSwarm(8, OPTIONS).faults);
  });

  it('every fault starts and ends inside the fault phase, in time order', () => {
    for (const seed of SEEDS) {
      const { faults } = planSwarm(seed, OPTIONS);
      assert.ok(faults.length > 50, `seed ${seed}: ${faults.length} faults in 10 minutes`);
      faults.forEach((fault, index) => {
        assert.ok(fault.atMs > 0 && fault.atMs + faultLengthMs(fault) < OPTIONS.faultPhaseMs, `seed ${seed}: ${describeFault(fault)} at ${fault.atMs}`);
        if (index > 0) assert.ok(fault.atMs >= faults[index - 1]!.atMs, `seed ${seed}: fault ${index + 1} out of order`);
      });
    }
  });

  it('at most ⌊(N−1)/2⌋ nodes are disturbed at once, but for short pauses planned beyond the limit', () => {
    for (const nodes of [3, 4, 5]) {
      const limit = disturbedNodesMax(nodes);
      for (const seed of SEEDS) {
        const planned = nodeFaults(planSwarm(seed, { ...OPTIONS, nodes }).faults);
        for (const fault of planned) {
          if (fault.kind === 'pause' && fault.isBeyondQuorum) {
            assert.ok(fault.durationMs <= 1_200, `seed ${seed}: a pause beyond the limit lasts ${fault.durationMs} ms`);
            continue;
          }
          const others = planned.filter((other) => other !== fault && !(other.kind === 'pause' && other.isBeyondQuorum));
          const during = others.filter((other) => other.atMs <= fault.atMs && fault.atMs < other.atMs + faultLengthMs(other) + resetRevealMs(FAST_TIMING));
          assert.ok(during.length < limit, `seed ${seed}, ${nodes} nodes: ${describeFault(fault)} at ${fault.atMs} meets ${during.map(describeFault).join('; ')}`);
          assert.ok(!during.some((other) => other.node === fault.node), `seed ${seed}: two faults on ${fault.node} at once`);
        }
      }
    }
  });

  it('each flip of a requested state or a maintenance is undone later, before the faults stop', () => {
    for (const seed of SEEDS) {
      const plan = planSwarm(seed, OPTIONS);
      const requests = plan.faults.flatMap((fault) => (fault.kind === 'cli' ? [{ atMs: fault.atMs, line: fault.args.join(' '), isUndo: fault.isUndo }] : []));
      const lastOf = (pattern: RegExp) => requests.filter((request) => pattern.test(request.line)).at(-1);
      for (const { sid } of plan.resources) {
        const lastFlip = lastOf(new RegExp(`^(set ${sid} --state (disabled|ignored)|crm-command stop ${sid} )`));
        if (lastFlip === undefined) continue;
        const lastStart = lastOf(new RegExp(`^set ${sid} --state started$`));
        assert.ok(lastStart !== undefined && lastStart.atMs > lastFlip.atMs, `seed ${seed}: ${lastFlip.line} is never undone`);
        assert.ok(lastStart.isUndo, `seed ${seed}: the last start of ${sid} is an undo`);
      }
      for (const node of plan.nodes) {
        const enable = lastOf(new RegExp(`node-maintenance enable ${node}$`));
        const disable = lastOf(new RegExp(`node-maintenance disable ${node}$`));
        if (enable !== undefined) assert.ok(disable !== undefined && disable.atMs >= enable.atMs, `seed ${seed}: maintenance of ${node} stays on`);
      }
    }
  });

  it('draws every fault kind over a few seeds, and only the kinds asked for', () => {
    const seen = new Set(SEEDS.flatMap((seed) => planSwarm(seed, OPTIONS).faults.map((fault) => fault.kind)));
    assert.deepEqual([...seen].sort(), [...SWARM_FAULT_KINDS].sort());
    for (const seed of SEEDS.slice(0, 5)) {
      const kinds = new Set(planSwarm(seed, { ...OPTIONS, kinds: ['cut', 'cli'] }).faults.map((fault) => fault.kind));
      assert.ok([...kinds].every((kind) => kind === 'cut' || kind === 'cli'), `seed ${seed}: ${[...kinds].join(', ')}`);
    }
  });

  it('on etcd: draws the faults of etcd too, one at a time, each over before the faults stop; a brief majority loss stays brief', () => {
    const kinds = [...SWARM_FAULT_KINDS, ...SWARM_ETCD_FAULT_KINDS];
    const seen = new Set<string>();
    for (const seed of SEEDS) {
      const etcd = planSwarm(seed, { ...OPTIONS, kinds }).faults.filter(isEtcdFault);
      for (const [index, fault] of etcd.entries()) {
        seen.add(fault.kind);
        assert.ok(fault.member >= 0 && fault.member < 3, `seed ${seed}: member ${fault.member}`);
        assert.ok(fault.atMs + fault.durationMs <= OPTIONS.faultPhaseMs, `seed ${seed}: ${describeFault(fault)} outlasts the faults`);
        if (fault.kind === 'etcd-majority') assert.ok(fault.durationMs <= 4_000, `seed ${seed}: ${describeFault(fault)}`);
        const next = etcd[index + 1];
        if (next !== undefined) assert.ok(next.atMs >= fault.atMs + fault.durationMs, `seed ${seed}: ${describeFault(next)} while ${describeFault(fault)}`);
      }
    }
    assert.deepEqual([...seen].sort(), [...SWARM_ETCD_FAULT_KINDS].sort());
  });

  it('places every service on a node of the cluster; refuses sizes outside the limits', () => {
    const plan = planSwarm(3, { ...OPTIONS, nodes: 5, services: 12 });
    assert.equal(plan.resources.length, 12);
    assert.ok(plan.resources.every((resource) => plan.nodes.includes(resource.node)));
    assert.equal(new Set(plan.resources.map((resource) => resource.sid)).size, 12);
    assert.throws(() => planSwarm(1, { ...OPTIONS, nodes: 2 }), /nodes 2 outside 3\.\.5/);
    assert.throws(() => planSwarm(1, { ...OPTIONS, services: 0 }), /services 0 outside/);
  });

  it('describes faults as a person reads them', () => {
    assert.equal(describeFault({ kind: 'kill', atMs: 1, node: 'node2', daemon: 'lrm' }), 'kill -9 the lrm of node2');
    assert.equal(describeFault({ kind: 'pause', atMs: 1, node: 'node1', target: 'node', durationMs: 1500, isBeyondQuorum: true }), 'SIGSTOP every process of node1 for 1.5 s (beyond the quorum limit)');
    assert.equal(describeFault({ kind: 'cli', atMs: 1, args: ['migrate', 'vm:101', 'node3'], isUndo: false }), 'ha-manager migrate vm:101 node3');
  });
});
