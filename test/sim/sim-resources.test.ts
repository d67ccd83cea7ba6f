import { strict as assert } from 'node:assert';
import { LrmResult } from '../../src/common/lrm-result.ts';
import type { TraceBody } from '../../src/common/trace.ts';
import { SimResources, type SimResourceWorld } from '../../src/sim/sim-resources.ts';
import { asyncDriver } from '../resources/async-driver.ts';
import { describeDriverContract } from '../resources/driver-contract.ts';

/** A small world: what runs where, the node the master recorded per service, guest locks. */
class World implements SimResourceWorld {
  readonly running = new Map<string, Set<string>>();
  readonly configured = new Map<string, string>();
  readonly locks = new Map<string, string>();

  configuredNode(sid: string): string | undefined {
    return this.configured.get(sid);
  }
  isRunning(node: string, sid: string): boolean {
    return this.running.get(node)?.has(sid) ?? false;
  }
  setRunning(node: string, sid: string, isRunning: boolean): void {
    const set = this.running.get(node) ?? new Set<string>();
    if (isRunning) set.add(sid);
    else set.delete(sid);
    this.running.set(node, set);
  }
  lockOf(sid: string): string | undefined {
    return this.locks.get(sid);
  }
  where(sid: string): string[] {
    return [...this.running].filter(([, sids]) => sids.has(sid)).map(([node]) => node).sort();
  }
}

function setup(services: Record<string, string>) {
  const world = new World();
  for (const [sid, node] of Object.entries(services)) world.configured.set(sid, node);
  const events: Array<[string, TraceBody]> = [];
  const resources = new SimResources(world, (node, body) => events.push([node, body]));
  return { world, resources, events };
}

describeDriverContract('simulated (SimResources, at once, seen through the async port)', () => {
  const { world, resources } = setup({ 'vm:101': 'node1' });
  return {
    driver: asyncDriver(resources.driverFor('node1')),
    sid: 'vm:101',
    isRunning: () => world.isRunning('node1', 'vm:101'),
    commandCount: () => resources.worldCalls,
    hangStart: () => resources.inject('vm:101', 'start', 1_000, 'timeout'),
    cleanup: () => {},
  };
});

describe('SimResources', () => {
  const job = (sid: string, request: string, target?: string) => ({ sid, uid: 'u1', request, ...(target ? { target } : {}) });

  it('runs the request core: a started request starts the service once, then finds it running', () => {
    const { world, resources, events } = setup({ 'vm:101': 'node1' });
    assert.equal(resources.execute('node1', job('vm:101', 'started')), LrmResult.success);
    assert.equal(resources.execute('node1', job('vm:101', 'started')), LrmResult.success);
    assert.deepEqual(world.where('vm:101'), ['node1']);
    assert.deepEqual(events, [['node1', { ev: 'service-action', sid: 'vm:101', action: 'start', result: 'ok' }]]);
  });

  it('answers wrong node from the node the master recorded, with the event the daemons emit', () => {
    const { resources, events } = setup({ 'vm:101': 'node2' });
    assert.equal(resources.execute('node1', job('vm:101', 'started')), LrmResult.wrongNode);
    assert.deepEqual(events, [['node1', { ev: 'service-action', sid: 'vm:101', action: 'start', result: 'error', reason: 'wrong node' }]]);
  });

  it('a move takes the service off its node and leaves its configured node to the master', () => {
    const { world, resources } = setup({ 'vm:101': 'node1', 'ct:102': 'node1' });
    world.setRunning('node1', 'vm:101', true);
    world.setRunning('node1', 'ct:102', true);
    assert.equal(resources.execute('node1', job('vm:101', 'migrate', 'node2')), LrmResult.success);
    assert.equal(resources.execute('node1', job('ct:102', 'migrate', 'node2')), LrmResult.success);
    assert.deepEqual([world.where('vm:101'), world.where('ct:102')], [[], []], 'both arrive not running');
    assert.deepEqual([world.configuredNode('vm:101'), world.configuredNode('ct:102')], ['node1', 'node1']);
  });

  it('fa: digits fail starts and moves a number of times across nodes, then succeed', () => {
    const { world, resources } = setup({ 'fa:120': 'node1' });
    assert.equal(resources.execute('node1', job('fa:120', 'started')), LrmResult.error);
    world.configured.set('fa:120', 'node2');
    assert.equal(resources.execute('node2', job('fa:120', 'started')), LrmResult.error, 'the count is per service, not per node');
    assert.equal(resources.execute('node2', job('fa:120', 'started')), LrmResult.success);
    world.setRunning('node2', 'fa:120', false);
    assert.equal(resources.execute('node2', job('fa:120', 'relocate', 'node3')), LrmResult.success, 'c = 0: moves always work');
  });

  it('a relocation whose stop fails fails the move: the service keeps running where it was', () => {
    const { world, resources, events } = setup({ 'fa:1001': 'node1' });
    world.setRunning('node1', 'fa:1001', true);
    assert.equal(resources.execute('node1', job('fa:1001', 'relocate', 'node2')), LrmResult.error);
    assert.deepEqual(world.where('fa:1001'), ['node1']);
    assert.deepEqual(events.at(-1), [
      'node1',
      { ev: 'service-action', sid: 'fa:1001', action: 'relocate', result: 'error', target: 'node2', reason: 'fa:1001 cannot be stopped (fa: stop digit)' },
    ]);
  });

  it('a locked guest refuses start and stop; an injected failure fails the next n calls of its kind', () => {
    const { world, resources } = setup({ 'vm:101': 'node1' });
    world.locks.set('vm:101', 'backup');
    assert.equal(resources.execute('node1', job('vm:101', 'started')), LrmResult.error);
    world.locks.delete('vm:101');
    resources.inject('vm:101', 'start', 2);
    assert.equal(resources.execute('node1', job('vm:101', 'started')), LrmResult.error);
    assert.equal(resources.execute('node1', job('vm:101', 'started')), LrmResult.error);
    assert.equal(resources.execute('node1', job('vm:101', 'started')), LrmResult.success);
    resources.inject('vm:101', 'migrate', 1);
    assert.equal(resources.execute('node1', job('vm:101', 'migrate', 'node2')), LrmResult.error);
    assert.deepEqual(world.where('vm:101'), ['node1'], 'a failed live migration leaves it running');
  });
});
