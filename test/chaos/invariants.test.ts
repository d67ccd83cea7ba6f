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

  describe('the four fence proofs (a hand-made trace over the simulated world)', () => {
    /** node2 runs vm:101 and is lost; the master on node1 fences it. */
    function lostNode2() {
      const world = cluster();
      const checker = new InvariantChecker(world, livenessBoundMs(REFERENCE_TIMING, 5));
      const node2 = world.node('node2');
      node2.isPoweredOn = true;
      world.setRunning('node2', 'vm:101', true);
      const at = (seconds: number) => (world.timeMs = seconds * 1000);
      const event = (body: object) => () => checker.onEvent({ t: Math.floor(world.timeMs / 1000), node: 'node1', ...body } as never);
      const step = () => () => checker.onStep('command', null);
      /** The node's power goes off (as the simulator does it, with its reset event). */
      const powerOff = (reason: string) => () => {
        node2.isPoweredOn = false;
        world.setRunning('node2', 'vm:101', false);
        event({ ev: 'reset', target: 'node2', reason })();
      };
      at(100);
      assert.equal(violationOf(step()), 'none');
      return { world, checker, node2, at, event, step, powerOff };
    }

    it('an agent proof counts once the node was powered off since its fence started; recovery after it passes', () => {
      const { at, event, step, powerOff } = lostNode2();
      at(110);
      assert.equal(violationOf(event({ ev: 'fence', target: 'node2' })), 'none');
      at(113);
      assert.equal(violationOf(powerOff('fence')), 'none');
      assert.equal(violationOf(step()), 'none');
      at(115);
      assert.equal(violationOf(event({ ev: 'fence-ack', target: 'node2', proof: 'agent' })), 'none');
      assert.equal(violationOf(event({ ev: 'service-state', sid: 'vm:101', from: 'fence', to: 'recovery', on: 'node2', target: null })), 'none');
      assert.equal(violationOf(event({ ev: 'recover', sid: 'vm:101', from: 'node2', to: 'node1' })), 'none');
    });

    it('an agent proof for a node still powered on is false (a failed off reported as done)', () => {
      const { at, event } = lostNode2();
      at(110);
      assert.equal(violationOf(event({ ev: 'fence', target: 'node2' })), 'none');
      at(115);
      assert.equal(violationOf(event({ ev: 'fence-ack', target: 'node2', proof: 'agent' })), 'fence-proof-true');
    });

    it('an agent proof for a node that was off before its fence started is true', () => {
      const { at, event, powerOff } = lostNode2();
      assert.equal(violationOf(powerOff('power')), 'none');
      at(110);
      assert.equal(violationOf(event({ ev: 'fence', target: 'node2' })), 'none');
      assert.equal(violationOf(event({ ev: 'fence-ack', target: 'node2', proof: 'agent' })), 'none');
    });

    it('a kdump proof is true only for a node that crashed writing a dump', () => {
      const crashed = lostNode2();
      assert.equal(violationOf(crashed.powerOff('kdump')), 'none');
      crashed.at(110);
      assert.equal(violationOf(crashed.event({ ev: 'fence', target: 'node2' })), 'none');
      assert.equal(violationOf(crashed.event({ ev: 'fence-ack', target: 'node2', proof: 'kdump' })), 'none');
      const poweredOff = lostNode2();
      poweredOff.at(110);
      assert.equal(violationOf(poweredOff.event({ ev: 'fence', target: 'node2' })), 'none');
      assert.equal(violationOf(poweredOff.powerOff('power')), 'none');
      assert.equal(violationOf(poweredOff.event({ ev: 'fence-ack', target: 'node2', proof: 'kdump' })), 'fence-proof-true');
    });

    it('a proof acknowledged before the service last ran on the node does not cover it', () => {
      const { at, event, step, node2, world } = lostNode2();
      at(110);
      assert.equal(violationOf(event({ ev: 'fence-ack', target: 'node2', proof: 'operator', by: 'root@pam' })), 'none');
      at(120);
      node2.isPoweredOn = true;
      world.setRunning('node2', 'vm:101', true);
      assert.equal(violationOf(step()), 'none');
      world.setRunning('node2', 'vm:101', false);
      at(130);
      assert.equal(violationOf(event({ ev: 'recover', sid: 'vm:101', from: 'node2', to: 'node1' })), 'fence-before-recovery');
    });

    it('the operator’s proof after the service last ran covers it', () => {
      const { at, event, world } = lostNode2();
      world.setRunning('node2', 'vm:101', false);
      at(110);
      assert.equal(violationOf(event({ ev: 'fence-ack', target: 'node2', proof: 'operator', by: 'root@pam' })), 'none');
      assert.equal(violationOf(event({ ev: 'recover', sid: 'vm:101', from: 'node2', to: 'node1' })), 'none');
    });

    it('a node with `watchdog none` is never acknowledged fenced on its lease', () => {
      const { world, event } = lostNode2();
      world.config.fence = { devices: [], connects: [], nodes: { node2: { watchdog: 'none', line: 1 } }, proxyOrder: [] };
      assert.equal(violationOf(event({ ev: 'fence-ack', target: 'node2', proof: 'reset' })), 'no-watchdog-lease');
      assert.equal(violationOf(event({ ev: 'fence-ack', target: 'node1', proof: 'reset' })), 'none', 'node1 has its watchdog');
    });
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
