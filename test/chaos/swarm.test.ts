import { strict as assert } from 'node:assert';
import { DEFAULT_CHAOS_CONFIG, FAULT_KINDS } from '../../src/chaos/chaos-config.ts';
import { generatePlan } from '../../src/chaos/generate-plan.ts';
import { runSwarm } from '../../src/chaos/swarm.ts';

/** The acceptance figure: at least this many seeds of 5+ nodes, 20+ services, every fault kind. */
const SEEDS = 500;

/** The first word(s) of each command, by fault kind: every kind must show up in the plans. */
const KIND_MARKERS: Record<Exclude<(typeof FAULT_KINDS)[number], 'unmanaged'>, RegExp> = {
  power: /^(power \S+ off|reboot|shutdown)/,
  network: /^network \S+ off/,
  storage: /^storage \S+ off/,
  store: /^store (down|slow)/,
  stale: /^stale \S+ [1-9]/,
  crash: /^(crash|restart-lrm)/,
  pause: /^pause/,
  drift: /^drift/,
  service: /^fail/,
  config: /^service \S+ (started|stopped|disabled)$/,
  cli: /^(service \S+ (migrate|relocate|stop)|crm \S+ enable-node-maintenance)/,
  rules: /^rule \S+ (node-affinity|resource-affinity|delete)/,
  disarm: /^crm \S+ disarm-ha (freeze|ignore)$/,
  fence: /^(fence-device \S+ (fail|hang|slow)|crash \S+ kdump$)/,
};

describe(`chaos swarm: ${SEEDS} seeds, ${DEFAULT_CHAOS_CONFIG.nodes} nodes, ${DEFAULT_CHAOS_CONFIG.services} services, all fault kinds`, function () {
  this.timeout(600_000);

  it('the default config is the acceptance one', () => {
    assert.ok(DEFAULT_CHAOS_CONFIG.nodes >= 5 && DEFAULT_CHAOS_CONFIG.services >= 20);
    assert.deepEqual([...DEFAULT_CHAOS_CONFIG.faults], [...FAULT_KINDS]);
  });

  it('the plans of these seeds inject every fault kind', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const plan = generatePlan(seed, DEFAULT_CHAOS_CONFIG);
      // A plan-wide schedule rather than commands: services that already run unmanaged on a node.
      if (Object.keys(plan.running).length > 0) seen.add('unmanaged');
      for (const batch of plan.batches) {
        for (const command of batch) {
          const bare = command.replace(/^after \d+ /, '');
          for (const [kind, marker] of Object.entries(KIND_MARKERS)) if (marker.test(bare)) seen.add(kind);
        }
      }
    }
    assert.deepEqual([...seen].sort(), [...FAULT_KINDS].sort());
  });

  it(`no invariant breaks in seeds 1..${SEEDS}, and every seed reaches its liveness check`, async () => {
    const seeds = Array.from({ length: SEEDS }, (_, index) => index + 1);
    const outcomes = await runSwarm({ seeds, config: DEFAULT_CHAOS_CONFIG });
    assert.equal(outcomes.length, SEEDS);
    const violations = outcomes.filter((outcome) => outcome.violation).map((outcome) => `seed ${outcome.seed}: ${JSON.stringify(outcome.violation)}`);
    assert.deepEqual(violations, []);
    const unchecked = outcomes.filter((outcome) => !outcome.isLivenessChecked).map((outcome) => outcome.seed);
    assert.deepEqual(unchecked, [], 'seeds whose run ended before the liveness bound');
  });
});
