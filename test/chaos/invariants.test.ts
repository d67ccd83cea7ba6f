import { strict as assert } from 'node:assert';
import { ConfigLedger } from '../../src/chaos/config-ledger.ts';
import { InvariantChecker, InvariantViolation } from '../../src/chaos/invariants.ts';
import { livenessBoundMs, timingLimits } from '../../src/chaos/liveness-bound.ts';
import { emptyManagerStatus } from '../../src/common/manager-status.ts';
import { DEFAULT_CLUSTER_SETTINGS, type ResourceConfig } from '../../src/common/ha-config.ts';
import { DEFAULT_TIMING, REFERENCE_TIMING } from '../../src/common/timing.ts';
import { Simulator } from '../../src/sim/simulator.ts';

const VM: ResourceConfig = { node: 'node1', state: 'started', maxRestart: 1, maxRelocate: 1 };

function cluster() {
  return new Simulator(
    {
      name: 'checker',
      nodes: { node1: { isPoweredOn: false, isNetworkOn: false }, node2: { isPoweredOn: false, isNetworkOn: false } },
      managerStatus: emptyManagerStatus(),
      resources: { 'vm:101': VM },
      groups: {},
      rules: [],
      settings: DEFAULT_CLUSTER_SETTINGS,
      serviceSizes: {},
      running: {},
      batches: [],
    },
    { seed: 1 },
  ).cluster;
}

function violationOf(action: () => void): string {
  try {
    action();
  } catch (error) {
    if (error instanceof InvariantViolation) return error.violation.invariant;
    throw error;
  }
  return 'none';
}

describe('invariant checker', () => {
  it('the liveness bound is derived from the timings: 2 × (lease timeout with drift + round) + 7 rounds', () => {
    assert.equal(livenessBoundMs(REFERENCE_TIMING, 5), 2 * (126_000 + 20_000) + 7 * 20_000);
    assert.equal(livenessBoundMs(DEFAULT_TIMING, 5), 2 * (63_000 + 3_000) + 7 * 3_000, 'the default timing: fence_timeout 60 s, rounds of 3 s');
    // An idle armed LRM may be reset until one client timeout of rounds after its idle limit of 60 rounds.
    assert.deepEqual(timingLimits(REFERENCE_TIMING, 5), { armedIdleIterationsMax: 60 + 4 + 2, iterationMs: 1000 });
    assert.deepEqual(timingLimits(DEFAULT_TIMING, 5), { armedIdleIterationsMax: 60 + 17 + 2, iterationMs: 300 });
  });

  it('catches a fence or a recovery while the stack is disarmed, and allows them while disarming or once armed', () => {
    const world = cluster();
    const checker = new InvariantChecker(world, livenessBoundMs(REFERENCE_TIMING, 5));
    const event = (body: object) => () => checker.onEvent({ t: 0, node: 'node1', ...body } as never);
    assert.equal(violationOf(event({ ev: 'disarm-state', from: 'armed', to: 'disarming', mode: 'freeze' })), 'none');
    assert.equal(violationOf(event({ ev: 'fence', target: 'node2' })), 'none', 'a fence the disarm waits for');
    assert.equal(violationOf(event({ ev: 'disarm-state', from: 'disarming', to: 'disarmed' })), 'none');
    assert.equal(violationOf(event({ ev: 'service-state', sid: 'vm:101', from: 'started', to: 'fence', on: 'node2', target: null })), 'disarmed-no-fence');
    assert.equal(violationOf(event({ ev: 'recover', sid: 'vm:101', from: 'node2', to: 'node1' })), 'disarmed-no-fence');
    assert.equal(violationOf(() => world.leases.acquire('ha_agent_node2_lock', { node: 'node1', nowMs: 0, staleMs: 0, ownClockAt: (ms) => ms })), 'disarmed-no-fence');
    assert.equal(violationOf(event({ ev: 'disarm-state', from: 'disarmed', to: 'armed' })), 'none');
    assert.equal(violationOf(event({ ev: 'fence', target: 'node2' })), 'none');
  });

  it('catches a service running on two nodes', () => {
    const world = cluster();
    const checker = new InvariantChecker(world, livenessBoundMs(REFERENCE_TIMING, 5));
    world.setRunning('node1', 'vm:101', true);
    assert.equal(violationOf(() => checker.onStep('command', null)), 'none');
    world.setRunning('node2', 'vm:101', true);
    assert.equal(violationOf(() => checker.onStep('command', null)), 'single-run');
  });

  it('catches a started service that runs nowhere, and accepts one in error', () => {
    const world = cluster();
    const checker = new InvariantChecker(world, livenessBoundMs(REFERENCE_TIMING, 5));
    assert.equal(violationOf(() => checker.checkLiveness()), 'liveness');
    const status = emptyManagerStatus();
    status.serviceStatus.set('vm:101', { state: 'error', node: 'node1', uid: 'x', target: undefined, running: false, failedNodes: undefined, maintenanceNode: undefined, timeoutS: undefined, cmd: undefined, mayRunUnmanaged: false, isWaitingForNode: false, lastFailure: undefined });
    world.saveManagerStatus(status);
    assert.equal(violationOf(() => checker.checkLiveness()), 'none');
  });

  it('catches a recovery without a fence proof', () => {
    const world = cluster();
    const checker = new InvariantChecker(world, livenessBoundMs(REFERENCE_TIMING, 5));
    assert.equal(violationOf(() => checker.onEvent({ t: 0, node: 'node2', ev: 'recover', sid: 'vm:101', from: 'node1', to: 'node2' })), 'fence-before-recovery');
  });

  it('catches a lost or half-written configuration entry', () => {
    const nodes = new Set(['node1', 'node2']);
    const ledger = new ConfigLedger({ 'vm:101': VM, 'vm:102': VM });
    assert.deepEqual(ledger.check({ 'vm:101': VM, 'vm:102': VM }, nodes), []);
    assert.equal(ledger.check({ 'vm:101': VM }, nodes).length, 1, 'an entry lost');
    assert.equal(ledger.check({ 'vm:101': VM, 'vm:102': { ...VM, node: '' } }, nodes).length, 1, 'an entry half-written');
    ledger.onCommand('service vm:102 disabled');
    assert.equal(ledger.check({ 'vm:101': VM, 'vm:102': VM }, nodes).length, 1, 'an edit lost');
    ledger.onCrmCommand('stop vm:101 0');
    assert.deepEqual(ledger.check({ 'vm:101': { ...VM, state: 'stopped' }, 'vm:102': { ...VM, state: 'disabled' } }, nodes), []);
  });
});
