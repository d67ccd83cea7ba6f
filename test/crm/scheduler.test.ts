import { strict as assert } from 'node:assert';
import { DEFAULT_AUTO_REBALANCE, DEFAULT_CLUSTER_SETTINGS, type AutoRebalanceSettings, type ResourceConfig } from '../../src/common/ha-config.ts';
import { newServiceStatus, type ServiceStatus } from '../../src/common/manager-status.ts';
import type { PlacementMode } from '../../src/common/states.ts';
import type { TraceBody } from '../../src/common/trace.ts';
import { NodeUsage } from '../../src/crm/node-usage.ts';
import { compileRules } from '../../src/crm/rules/compile-rules.ts';
import { ServiceAffinity } from '../../src/crm/rules/service-affinity.ts';
import { Scheduler } from '../../src/crm/scheduler.ts';
import type { HaConfig } from '../../src/env/env.ts';

const GIB = 1024 ** 3;
const NODES = ['node1', 'node2', 'node3'];
const vm = (node: string): ResourceConfig => ({ node, state: 'started', maxRestart: 1, maxRelocate: 1 });

/** Two services of 4 CPUs / 8 GiB on node1 of three 16-CPU / 32-GiB nodes: static imbalance √2. */
function cluster(auto: Partial<AutoRebalanceSettings>, placement: PlacementMode = 'static') {
  const resources = { 'vm:101': vm('node1'), 'vm:102': vm('node1') };
  const config: HaConfig = {
    resources,
    groups: {},
    rules: [],
    settings: { ...DEFAULT_CLUSTER_SETTINGS, placement, autoRebalance: { ...DEFAULT_AUTO_REBALANCE, isEnabled: true, ...auto } },
    serviceSizes: { 'vm:101': { maxCpu: 4, maxMemBytes: 8 * GIB }, 'vm:102': { maxCpu: 4, maxMemBytes: 8 * GIB } },
    nodeCapacities: Object.fromEntries(NODES.map((node) => [node, { cpus: 16, memoryBytes: 32 * GIB }])),
    generation: 1,
  };
  const entries: Array<[string, ServiceStatus]> = Object.keys(resources).map((sid) => [sid, newServiceStatus('started', 'node1', 'u')]);
  const events: TraceBody[] = [];
  const submitted: string[] = [];
  const scheduler = new Scheduler((event) => events.push(event));
  const pass = () => {
    scheduler.startRound(config, new Map());
    const usage = new NodeUsage(NODES, scheduler.sizing());
    for (const [sid, status] of entries) usage.add(sid, status);
    scheduler.rebalance({ config, usage, entries, service: (sid) => new Map(entries).get(sid), submit: (line) => submitted.push(line) , affinity: new ServiceAffinity(compileRules([], NODES), NODES, () => undefined) });
  };
  return { config, entries, events, submitted, scheduler, pass };
}

describe('Scheduler: automatic rebalancing (README-5.2 §7.4)', () => {
  it('acts on the hold-th consecutive pass above the threshold, logging the move before submitting it', () => {
    const { events, submitted, pass } = cluster({ holdRounds: 3 });
    pass();
    pass();
    assert.deepEqual(submitted, []);
    pass();
    assert.deepEqual(submitted, ['migrate vm:101 node2']);
    assert.deepEqual(events.find((event) => event.ev === 'rebalance'), { ev: 'rebalance', sid: 'vm:101', action: 'migrate', target: 'node2', imbalance_from: 1.41, imbalance_to: 0.71 });
  });

  it('neither counts nor resets during motion: a pass with a move in flight or a queued move command is skipped', () => {
    const { entries, submitted, pass } = cluster({ holdRounds: 2 });
    pass(); // 1
    entries[1]![1].cmd = { kind: 'migrate', target: 'node3' };
    pass(); // skipped
    pass(); // skipped
    entries[1]![1].cmd = undefined;
    pass(); // 2: acts
    assert.deepEqual(submitted, ['migrate vm:101 node2']);
  });

  it('does nothing while the imbalance stays at or below the threshold, and resets the hold', () => {
    const { submitted, pass, config } = cluster({ holdRounds: 2, threshold: 2 });
    pass();
    pass();
    assert.deepEqual(submitted, []);
    (config.settings as { autoRebalance: AutoRebalanceSettings }).autoRebalance = { ...config.settings.autoRebalance, threshold: 0.3 };
    pass();
    assert.deepEqual(submitted, [], 'the hold starts again from 0');
    pass();
    assert.equal(submitted.length, 1);
  });

  it('does not move when the best move improves less than the margin; the next try needs another full hold', () => {
    const { submitted, pass } = cluster({ holdRounds: 0, margin: 0.6 });
    pass();
    assert.deepEqual(submitted, [], '1.41 → 0.71 is 50 %, short of 60 %');
  });

  it('runs only when enabled and placing by size', () => {
    for (const { auto, placement } of [{ auto: { isEnabled: false, holdRounds: 0 }, placement: 'static' as const }, { auto: { holdRounds: 0 }, placement: 'basic' as const }]) {
      const { submitted, pass } = cluster(auto, placement);
      pass();
      assert.deepEqual(submitted, []);
    }
  });

  it('logs a change of the placement mode, read every round', () => {
    const { config, events, scheduler } = cluster({});
    scheduler.startRound(config, new Map());
    scheduler.startRound({ ...config, settings: { ...config.settings, placement: 'dynamic' } }, new Map());
    assert.deepEqual(
      events.filter((event) => event.ev === 'log').map((event) => (event as { msg: string }).msg),
      ["switching scheduler mode from 'static' to 'dynamic'"],
    );
  });

  it('dynamic placement without measurements of every online node counts services, says so once, and does not rebalance', () => {
    const { events, submitted, pass } = cluster({ holdRounds: 0 }, 'dynamic');
    pass();
    pass();
    assert.deepEqual(submitted, []);
    assert.equal(events.filter((event) => event.ev === 'log' && event.level === 'warn').length, 1);
  });
});
