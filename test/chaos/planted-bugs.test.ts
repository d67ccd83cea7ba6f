import { strict as assert } from 'node:assert';
import { DEFAULT_CHAOS_CONFIG } from '../../src/chaos/chaos-config.ts';
import { generatePlan } from '../../src/chaos/generate-plan.ts';
import type { Invariant } from '../../src/chaos/invariants.ts';
import { PLANTED_BUGS, plantedBugHooks, type PlantedBug } from '../../src/chaos/planted-bugs.ts';
import { runPlan } from '../../src/chaos/run-plan.ts';

import { scenarioOfPlan } from '../../src/chaos/plan-scenario.ts';
import { SimLrmEnv } from '../../src/sim/sim-env.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { FENCE } from '../sim/fence-fixture.ts';

/** Each planted bug must be caught, by the invariant it breaks, within this many seeds. */
const SEEDS_MAX: Record<PlantedBug, number> = {
  'recover-without-fence': 10,
  'second-master': 3,
  'feed-without-renewal': 20,
  'forget-stale-read': 30,
  'recover-on-free-lease': 20,
  'forget-disarm': 20,
  // Seed 12: a hung IPMI's off reported done, the agent proof for a node that never went off (fence-proof-true).
  'recover-after-failed-fence': 15,
};
/**
 * A bug that lets a node run on after its services were recovered is seen at the recovery itself
 * (recover-not-running), or, where the recovery raced ahead of the check, as the double run after it.
 */
const EXPECTED: Record<PlantedBug, readonly Invariant[]> = {
  'recover-without-fence': ['fence-before-recovery'],
  'second-master': ['single-master'],
  'feed-without-renewal': ['recover-not-running', 'single-run'],
  'forget-stale-read': ['recover-not-running', 'single-run'],
  'recover-on-free-lease': ['recover-not-running', 'single-run'],
  'forget-disarm': ['disarmed-no-fence', 'recover-not-running', 'single-run'],
  'recover-after-failed-fence': ['fence-proof-true', 'fence-before-recovery', 'recover-not-running', 'single-run'],
};

describe('the planted bug recover-after-failed-fence itself', () => {
  it('the proxy’s LRM hears a failed off as done, and only that', () => {
    const simulator = new Simulator({ ...scenarioOfPlan(generatePlan(1, DEFAULT_CHAOS_CONFIG)), fence: FENCE }, { seed: 1 });
    const cluster = simulator.cluster;
    cluster.node('node1').isPoweredOn = true;
    cluster.node('node1').isNetworkOn = true;
    const env = plantedBugHooks('recover-after-failed-fence').wrapLrmEnv!(new SimLrmEnv(cluster, 'node1', simulator.timing, simulator.fenceJobs));
    cluster.fenceDevices.set('ipmi2', { state: 'fail' });
    env.startFence({ uid: 'off', target: 'node2', action: 'off', level: 1 });
    cluster.fenceDevices.set('pdu:2', { state: 'fail' });
    env.startFence({ uid: 'on', target: 'node2', action: 'on', level: 2 });
    cluster.timeMs += 10_000;
    simulator.fenceJobs.advance();
    const results = env.takeFinishedFences();
    assert.deepEqual(results.map((result) => [result.uid, result.ok, result.reason]), [['off', true, undefined], ['on', false, "device 'pdu:2': fence_apc on through device pdu:2 failed (exit 1)"]]);
    assert.equal(cluster.node('node2').isPoweredOn, false, 'node2 never booted in this plan: the off changed nothing, yet it is reported done');
  });
});

describe('the checker can fail: planted bugs in the simulated adapters are caught', function () {
  this.timeout(300_000);

  for (const bug of PLANTED_BUGS) {
    it(`${bug} breaks ${EXPECTED[bug].join('/')} within ${SEEDS_MAX[bug]} seeds`, () => {
      const caught: string[] = [];
      for (let seed = 1; seed <= SEEDS_MAX[bug] && caught.length === 0; seed++) {
        const violation = runPlan(generatePlan(seed, DEFAULT_CHAOS_CONFIG), { bug }).violation;
        if (violation && EXPECTED[bug].includes(violation.invariant)) caught.push(`seed ${seed}: ${violation.message}`);
      }
      assert.equal(caught.length, 1, `${bug} was not caught in seeds 1..${SEEDS_MAX[bug]}`);
    });
  }

  it('without a planted bug the same seeds pass', () => {
    const seedsMax = Math.max(...Object.values(SEEDS_MAX));
    for (let seed = 1; seed <= seedsMax; seed++) {
      const violation = runPlan(generatePlan(seed, DEFAULT_CHAOS_CONFIG)).violation;
      assert.equal(violation, undefined, `seed ${seed}: ${JSON.stringify(violation)}`);
    }
  });
});
