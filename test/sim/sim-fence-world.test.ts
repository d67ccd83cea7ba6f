import { strict as assert } from 'node:assert';
import type { TraceEvent } from '../../src/common/trace.ts';
import type { FenceConfig } from '../../src/fence/fence-config.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { POWER_ON_ALL, threeNodeScenario } from './three-node-scenario.ts';
import { FENCE } from './fence-fixture.ts';

/** Runs with `fence` as fence.cfg; `onRound` may start jobs through the simulator's runner. */
function run(batches: string[][], fence: FenceConfig, onRound?: (simulator: Simulator) => void): { events: TraceEvent[]; simulator: Simulator } {
  const events: TraceEvent[] = [];
  let simulator: Simulator | undefined;
  simulator = new Simulator(threeNodeScenario('fence-world', [POWER_ON_ALL, ...batches]), { seed: 1, onEvent: (event) => events.push(event), onRound: () => onRound?.(simulator!) });
  simulator.cluster.config.fence = fence;
  simulator.run();
  return { events, simulator };
}

const resets = (events: TraceEvent[]) => events.filter((event) => event.ev === 'reset').map((event) => (event.ev === 'reset' ? `${event.t} ${event.target} ${event.reason}` : ''));

describe('fence devices in the simulated cluster', () => {
  it('a level’s off powers the target off at its time (reset reason fence), even in the idle rest of a round', () => {
    let startedAtMs: number | undefined;
    const { events } = run([['fence-device ipmi2 slow 10']], FENCE, (simulator) => {
      if (startedAtMs !== undefined || simulator.cluster.timeMs < 140_000) return;
      startedAtMs = simulator.cluster.timeMs;
      simulator.fenceJobs.start('node1', { uid: 'x', target: 'node2', action: 'off', level: 1 });
    });
    // Reference rounds: 20 s, of which the iterations of 3 nodes take the first 6 s (140-146 s here).
    assert.equal(startedAtMs, 140_000);
    assert.deepEqual(resets(events), ['150 node2 fence'], 'the slow call ends at 150 s, in the idle rest of the round, not at its end (160 s)');
    const log = events.find((event) => event.ev === 'log' && event.node === 'node1');
    assert.equal(log?.ev === 'log' ? log.msg : '', 'fence_ipmilan off of node2 through device ipmi2: ok after 10.0 s');
  });

  it('crash <node> kdump halts the node (reset reason kdump) and a kdump level hears it; power on ends the dump', () => {
    let isStarted = false;
    const { events, simulator } = run([['crash node2 kdump']], FENCE, (sim) => {
      if (isStarted || sim.cluster.timeMs < 200_000) return;
      isStarted = true;
      sim.fenceJobs.start('node3', { uid: 'k', target: 'node2', action: 'off', level: 0 });
    });
    assert.deepEqual(resets(events), ['120 node2 kdump']);
    assert.equal(simulator.cluster.node('node2').isDumping, true, 'nobody powered it on');
    assert.ok(events.some((event) => event.ev === 'log' && event.node === 'node3' && /fence_kdump off of node2 through device kdump: ok/.test(event.msg)));
    const healed = run([['crash node2 kdump'], ['power node2 on']], FENCE).simulator;
    assert.equal(healed.cluster.node('node2').isDumping, false);
  });

  it('fence-device commands set the device, heal sets every device ok', () => {
    const simulator = run([['fence-device pdu:2 hang', 'fence-device ipmi2 slow 9']], FENCE).simulator;
    assert.deepEqual(simulator.cluster.fenceDevices.conditionOf('pdu:2'), { state: 'hang' });
    assert.deepEqual(simulator.cluster.fenceDevices.conditionOf('ipmi2'), { state: 'ok', slowMs: 9000 });
    const healed = run([['fence-device pdu:2 hang'], ['heal']], FENCE).simulator;
    assert.deepEqual(healed.cluster.fenceDevices.conditionOf('pdu:2'), { state: 'ok' });
  });

  it('a node with `watchdog none` has no device to reset it: cut off, it is never reset', () => {
    const withWatchdog = run([['network node2 off']], FENCE).events;
    assert.equal(resets(withWatchdog).filter((line) => line.endsWith('node2 watchdog')).length, 1);
    const withoutWatchdog: FenceConfig = { ...FENCE, nodes: { node2: { watchdog: 'none', line: 4 } } };
    const resetsWithout = resets(run([['network node2 off']], withoutWatchdog).events);
    assert.deepEqual(resetsWithout.filter((line) => line.endsWith('watchdog')), [], 'no watchdog reset');
    assert.deepEqual(resetsWithout, ['184 node2 fence'], 'the master fences it through its IPMI instead');
  });

  it('a level’s on leaves a node that is on as it is (its network stays cut); an off ends a kernel dump', () => {
    let isStarted = false;
    const seen: string[] = [];
    const { events } = run([['network node3 off']], FENCE, (sim) => {
      const node3 = sim.cluster.node('node3');
      if (sim.cluster.timeMs === 160_000) seen.push(`powered ${node3.isPoweredOn}, network ${node3.isNetworkOn}`);
      if (isStarted || sim.cluster.timeMs < 140_000) return;
      isStarted = true;
      sim.fenceJobs.start('node1', { uid: 'on', target: 'node3', action: 'on', level: 0 });
    });
    assert.ok(events.some((event) => event.ev === 'log' && event.msg === 'fence_apc on of node3 through device pdu:2: ok after 1.0 s'), 'the job ran (142 s)');
    assert.deepEqual(seen, ['powered true, network false']);
    let isOffStarted = false;
    const dumped = run([['crash node2 kdump']], FENCE, (sim) => {
      if (isOffStarted || sim.cluster.timeMs < 140_000) return;
      isOffStarted = true;
      sim.fenceJobs.start('node1', { uid: 'off', target: 'node2', action: 'off', level: 1 });
    });
    assert.equal(dumped.simulator.cluster.node('node2').isDumping, false, 'IPMI off cut the dump short');
    assert.deepEqual(resets(dumped.events), ['120 node2 kdump'], 'no second reset: it was off already');
  });

  it('the daemons of a node with `watchdog none` use no mux, as the real ones (NoWatchdog): a mux crash leaves them running, nothing resets the node', () => {
    const withoutWatchdog: FenceConfig = { ...FENCE, nodes: { node2: { watchdog: 'none', line: 4 } } };
    const { events, simulator } = run([['crash node2 mux']], withoutWatchdog);
    assert.deepEqual(resets(events), []);
    assert.ok(simulator.cluster.node('node2').lrm !== undefined && simulator.cluster.node('node2').crm !== undefined);
    assert.ok(simulator.cluster.isRunning('node2', 'vm:101'), 'its service still runs');
    assert.equal(simulator.cluster.node('node2').watchdog.hasArmedRegistration('lrm'), false, 'its LRM never registered');
    const withWatchdog = run([['crash node2 mux']], FENCE).events;
    assert.deepEqual(resets(withWatchdog).map((line) => line.split(' ').slice(1).join(' ')), ['node2 watchdog'], 'with a device, the reset follows');
  });

  it('a soft fence restarts a hung LRM: the pause ends with the process', () => {
    let isStarted = false;
    const { events, simulator } = run([['pause node2 600 lrm']], FENCE, (sim) => {
      if (isStarted || sim.cluster.timeMs < 140_000) return;
      isStarted = true;
      sim.fenceJobs.start('node1', { uid: 's', target: 'node2', action: 'soft', level: 0 });
    });
    assert.equal(simulator.cluster.faults.isPaused('node2', 'lrm', 200_000), false);
    assert.ok(events.some((event) => event.ev === 'log' && event.node === 'node1' && event.msg === 'soft fence of node2: host node2 answers; its LRM was restarted'));
    assert.deepEqual(resets(events), [], 'the new LRM claims the hung one’s watchdog registration in time');
  });
});
