import { strict as assert } from 'node:assert';
import type { TraceEvent } from '../../src/common/trace.ts';
import type { JournalRow } from '../../src/env/journal-reader.ts';
import type { ConsoleEvent } from '../../src/web/console-source.ts';
import { consoleEventOf } from '../../src/web/journal-events.ts';
// @ts-expect-error: a module of the page (plain JavaScript, no declarations); failoversOf is pure.
import { failoversOf as failoversOfUntyped } from '../../src/web/static/render-timeline.js';

interface Failover {
  node: string;
  cutMs: number | null;
  unknownMs: number;
  fenceMs: number | null;
  leaseMs: number | null;
  recovered: Array<{ sid: string; to: string; wallMs: number }>;
  backMs: number | null;
}
const failoversOf = failoversOfUntyped as (events: readonly ConsoleEvent[], lastHeard: Map<string, number>, cuts: Map<string, number>) => Failover[];

function row(event: TraceEvent, daemon: 'crm' | 'lrm' = 'crm'): JournalRow {
  return { daemon, id: 1, wallMs: event.t, table: 'events', event };
}

/** The master's (node2's) journal lines of a failover of node1, as the timeline gets them. */
function failoverEvents(): ConsoleEvent[] {
  const rows: TraceEvent[] = [
    { t: 1000, node: 'node2', ev: 'node-state', target: 'node1', from: 'online', to: 'unknown' },
    { t: 2000, node: 'node2', ev: 'service-state', sid: 'vm:101', from: 'started', to: 'fence', on: 'node1', target: null },
    { t: 2000, node: 'node2', ev: 'node-state', target: 'node1', from: 'unknown', to: 'fence' },
    { t: 12_000, node: 'node2', ev: 'lock', lock: 'agent.node1' },
    { t: 12_000, node: 'node2', ev: 'fence-ack', target: 'node1' },
    { t: 12_000, node: 'node2', ev: 'node-state', target: 'node1', from: 'fence', to: 'unknown' },
    { t: 12_000, node: 'node2', ev: 'recover', sid: 'vm:101', from: 'node1', to: 'node3' },
    { t: 40_000, node: 'node2', ev: 'node-state', target: 'node1', from: 'unknown', to: 'online' },
  ];
  return rows.flatMap((event, index) => {
    const shown = consoleEventOf(row(event), 'node2');
    return shown === null ? [] : [{ id: index + 1, ...shown }];
  });
}

describe('web: journal rows on the timeline, and the failover timeline made of them', () => {
  it("keeps fences, recoveries, node and service changes in the daemons' words; leaves routine rows out", () => {
    const events = failoverEvents();
    assert.deepEqual(events.map((event) => event.kind), ['node', 'fence', 'node', 'fence', 'fence', 'node', 'recovery', 'node']);
    assert.equal(events[6]!.text, "node2/crm: recover service 'vm:101' from fenced node 'node1' to node 'node3'");
    assert.equal(events[6]!.sid, 'vm:101');
    assert.equal(consoleEventOf(row({ t: 1, node: 'node1', ev: 'lock', lock: 'agent.node1' }, 'lrm'), 'node1'), null, "a node taking its own agent lease is routine");
    assert.equal(consoleEventOf({ daemon: 'lrm', id: 1, wallMs: 1, table: 'blackbox', kind: 'renew', detail: 'agent.node1' }, 'node1'), null);
    assert.deepEqual(consoleEventOf({ daemon: 'web', id: 1, wallMs: 5, table: 'blackbox', kind: 'operator-action', detail: 'web@127.0.0.1: arm-ha - Queued' }, 'node1'), {
      wallMs: 5,
      node: 'node1',
      sid: null,
      kind: 'action',
      text: 'node1/web: operator action: web@127.0.0.1: arm-ha - Queued',
    });
  });

  it('one failover per loss, cut → unknown → fence → lease taken → recovered, until the node is back', () => {
    const cuts = new Map<string, number>();
    const failovers = failoversOf(failoverEvents(), new Map([['node1', 400]]), cuts);
    assert.equal(failovers.length, 1);
    const [failover] = failovers;
    assert.deepEqual(
      { ...failover, key: undefined },
      { node: 'node1', key: undefined, cutMs: 400, unknownMs: 1000, fenceMs: 2000, leaseMs: 12_000, recovered: [{ sid: 'vm:101', to: 'node3', wallMs: 12_000 }], backMs: 40_000 },
    );
    const later = failoversOf(failoverEvents(), new Map([['node1', 39_500]]), cuts);
    assert.equal(later[0]!.cutMs, 400, 'the cut stays where it was seen once the node beats again');
  });
});
