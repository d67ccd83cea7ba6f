import { strict as assert } from 'node:assert';
import { FAST_TIMING } from '../../src/cluster/cluster-config.ts';
import { renderSnapshot, type ClusterSnapshot } from '../../src/cluster/cluster-view.ts';
import { renderSummary, type DemoSummary } from '../../src/cluster/demo-run.ts';
import { fencingFigures } from '../../src/cluster/fence-parts.ts';
import {
  failoverSentence,
  formatSeconds,
  masterViewChanges,
  orderStory,
  storyLine,
  storySentence,
  takeSettled,
  timingSentence,
  type MasterView,
  type StoryEvent,
} from '../../src/cluster/demo-story.ts';

const CUT_MS = 1_796_602_868_000; // an epoch wall clock, as the demo's sources record it
const at = (afterCutMs: number) => CUT_MS + afterCutMs;
/** What a poll of the demo noticed, in the order it noticed it: the recovery before the reset. */
const NOTICED: StoryEvent[] = [
  { kind: 'cut', wallMs: at(0), node: 'node3', sids: ['vm:102'] },
  { kind: 'service-run', wallMs: at(11_000), sid: 'vm:102', node: 'node1', event: 'start' },
  { kind: 'lease-taken', wallMs: at(10_400), leaseOf: 'node3', by: 'node1' },
  { kind: 'reset', wallMs: at(8_200), node: 'node3' },
  { kind: 'node-view', wallMs: at(6_100), master: 'node1', node: 'node3', from: 'online', to: 'unknown' },
];
const LONG_NUMBER = /\d{5,}/;

/**
 * A failover through node1's BMC as the demo records it (the times of a run of `demo --fencing ipmi`),
 * in the order a poll notices it: the master's saved view first, the logs and the BMC later.
 */
const FENCED: StoryEvent[] = [
  { kind: 'cut', wallMs: at(0), node: 'node1', sids: ['vm:101'] },
  { kind: 'node-view', wallMs: at(3_000), master: 'node3', node: 'node1', from: 'online', to: 'unknown' },
  { kind: 'node-view', wallMs: at(4_010), master: 'node3', node: 'node1', from: 'unknown', to: 'fence' },
  { kind: 'service-state', wallMs: at(9_020), sid: 'vm:101', from: { state: 'fence', node: 'node1' }, to: { state: 'started', node: 'node2' } },
  { kind: 'service-run', wallMs: at(10_900), sid: 'vm:101', node: 'node2', event: 'start' },
  { kind: 'reset', wallMs: at(5_600), node: 'node1', cause: 'powered off by its BMC' },
  { kind: 'fence-request', wallMs: at(4_000), master: 'node3', target: 'node1', action: 'off', level: 0, proxy: 'node2' },
  { kind: 'fence-job', wallMs: at(4_300), proxy: 'node2', target: 'node1', action: 'off', level: 0, outcome: 'started' },
  { kind: 'fence-job', wallMs: at(8_100), proxy: 'node2', target: 'node1', action: 'off', level: 0, outcome: 'succeeded' },
  { kind: 'fence-result', wallMs: at(9_000), master: 'node3', target: 'node1', action: 'off', level: 0, proxy: 'node2', isOk: true },
  { kind: 'fence-proof', wallMs: at(9_001), master: 'node3', target: 'node1', proof: 'agent' },
  { kind: 'fence-request', wallMs: at(9_002), master: 'node3', target: 'node1', action: 'on', level: 0, proxy: 'node2' },
  { kind: 'fence-job', wallMs: at(9_300), proxy: 'node2', target: 'node1', action: 'on', level: 0, outcome: 'started' },
  { kind: 'power-on', wallMs: at(10_500), node: 'node1' },
  { kind: 'fence-job', wallMs: at(12_700), proxy: 'node2', target: 'node1', action: 'on', level: 0, outcome: 'succeeded' },
];

describe('cluster/demo-story: the demo as a story', () => {
  it('tells events in the order they happened, not in the order they were noticed', () => {
    const kinds = orderStory(NOTICED).map((event) => event.kind);
    assert.deepEqual(kinds, ['cut', 'node-view', 'reset', 'lease-taken', 'service-run']);
  });

  it('keeps the noticed order among events of the same instant', () => {
    const same: StoryEvent[] = [
      { kind: 'node-view', wallMs: at(5), master: 'node1', node: 'node3', from: 'unknown', to: 'fence' },
      { kind: 'service-state', wallMs: at(5), sid: 'vm:102', from: { state: 'started', node: 'node3' }, to: { state: 'fence', node: 'node3' } },
    ];
    assert.deepEqual(orderStory(same), same);
    assert.deepEqual(orderStory([...same].reverse()), [...same].reverse());
  });

  it('tells only events old enough that nothing earlier can still turn up, ordered', () => {
    const first = takeSettled(NOTICED, at(10_600), 500);
    assert.deepEqual(first.told.map((event) => event.kind), ['cut', 'node-view', 'reset']);
    assert.deepEqual(first.pending.map((event) => event.kind), ['service-run', 'lease-taken']);
    const late: StoryEvent = { kind: 'service-state', wallMs: at(10_500), sid: 'vm:102', from: { state: 'fence', node: 'node3' }, to: { state: 'recovery', node: 'node3' } };
    const second = takeSettled([...first.pending, late], at(12_000), 500);
    assert.deepEqual(second.told.map((event) => event.wallMs - CUT_MS), [10_400, 10_500, 11_000]);
    assert.deepEqual(second.pending, []);
  });

  it('words durations in seconds with one decimal', () => {
    assert.equal(formatSeconds(12_400), '12.4 s');
    assert.equal(formatSeconds(960), '1.0 s');
    assert.equal(formatSeconds(0), '0.0 s');
  });

  it('dates each line by the time since the demo started, in seconds, as a sentence without raw JSON or epoch milliseconds', () => {
    const lines = orderStory(NOTICED).map((event) => storyLine(event, CUT_MS - 14_300));
    assert.deepEqual(lines, [
      't+14.3 s  node3 is cut from the shared storage; it runs vm:102',
      't+20.4 s  the master node1 now sees node3 as unknown (was online)',
      't+22.5 s  node3 is reset by its watchdog',
      't+24.7 s  node1 takes the agent lease of node3: proof that node3 was reset',
      't+25.3 s  vm:102 starts on node1',
    ]);
    for (const line of lines) assert.doesNotMatch(line, /[{}]|\d{5,}/);
    assert.equal(storySentence({ kind: 'cut', wallMs: CUT_MS, node: 'node2', sids: [], from: 'etcd (its proxies refuse)' }), 'node2 is cut from etcd (its proxies refuse); it runs no service');
  });

  it('tells a fence through the BMC: request, agent run, power-off, result, proof, recovery, start, the master\'s on', () => {
    const lines = orderStory(FENCED).map((event) => storyLine(event, CUT_MS));
    assert.deepEqual(lines, [
      't+0.0 s  node1 is cut from the shared storage; it runs vm:101',
      't+3.0 s  the master node3 now sees node1 as unknown (was online)',
      't+4.0 s  the master node3 asks node2 to power node1 off through fence level 1',
      't+4.0 s  the master node3 now sees node1 as fence (was unknown)',
      't+4.3 s  node2 runs the fence agents of level 1 to power node1 off',
      't+5.6 s  node1 is powered off by its BMC',
      't+8.1 s  node2: level 1 powered node1 off, and its status reads off',
      't+9.0 s  the master node3 reads node2\'s result: level 1 off of node1 succeeded',
      't+9.0 s  the master node3 counts node1 as fenced on the agent proof (its fence device reported it off)',
      't+9.0 s  the master node3 asks node2 to power node1 back on through fence level 1',
      't+9.0 s  the master sets vm:101 to started on node2 (was fence on node1)',
      't+9.3 s  node2 runs the fence agents of level 1 to power node1 back on',
      't+10.5 s  the BMC of node1 powers it on: its daemons start again',
      't+10.9 s  vm:101 starts on node2',
      't+12.7 s  node2: level 1 powered node1 on',
    ]);
    for (const line of lines) assert.doesNotMatch(line, /[{}]|\d{5,}/);
  });

  it('tells a failed level with its reason, and the other proofs in words', () => {
    const failed: StoryEvent = { kind: 'fence-job', wallMs: at(1), proxy: 'node2', target: 'node1', action: 'off', level: 1, outcome: 'failed', reason: "device 'power:1': exit 1" };
    assert.equal(storySentence(failed), "node2: level 2 (off) of node1 failed: device 'power:1': exit 1");
    const result: StoryEvent = { kind: 'fence-result', wallMs: at(2), master: 'node3', target: 'node1', action: 'off', level: 1, proxy: 'node2', isOk: false, reason: 'timed out' };
    assert.equal(storySentence(result), "the master node3 reads node2's result: level 2 off of node1 failed (timed out)");
    const lease: StoryEvent = { kind: 'fence-proof', wallMs: at(3), master: 'node3', target: 'node1', proof: 'reset' };
    assert.match(storySentence(lease), /counts node1 as fenced on the lease proof/);
    assert.equal(storySentence({ kind: 'reset', wallMs: at(4), node: 'node1', cause: 'watchdog' }), 'node1 is reset by its watchdog');
  });

  it('cuts a failover through the BMC into parts that add up to it', () => {
    const figures = fencingFigures(orderStory(FENCED), { node: 'node1', wallMs: CUT_MS, sids: ['vm:101'] });
    assert.equal(figures.proof, 'agent');
    assert.equal(figures.proxy, 'node2');
    assert.equal(figures.isComplete, true);
    assert.deepEqual(figures.parts.map((part) => [part.part, part.durationMs]), [
      ['noticed', 3_000], ['decided', 1_000], ['request', 300], ['agent', 3_800], ['result', 900], ['proof', 1], ['start', 1_899],
    ]);
    assert.equal(figures.parts.reduce((sum, part) => sum + part.durationMs, 0), 10_900, 'the parts add up to the failover');
    assert.equal(figures.poweredOffAfterMs, 5_600);
    assert.equal(figures.poweredOnAfterMs, 10_500);
  });

  it('keeps the parts seen so far when the fence did not succeed, and names no agent proof', () => {
    const noResult = orderStory(FENCED).filter((event) => event.kind !== 'fence-result');
    const figures = fencingFigures(noResult, { node: 'node1', wallMs: CUT_MS, sids: ['vm:101'] });
    assert.equal(figures.isComplete, false);
    assert.deepEqual(figures.parts.map((part) => part.part), ['noticed']);
    assert.equal(figures.proxy, null);
    const leaseOnly = fencingFigures([FENCED[0]!, { kind: 'fence-proof', wallMs: at(61_000), master: 'node3', target: 'node1', proof: 'reset' }], { node: 'node1', wallMs: CUT_MS, sids: ['vm:101'] });
    assert.equal(leaseOnly.proof, 'reset');
    assert.deepEqual(leaseOnly.parts, []);
  });

  it('turns the master\'s saved statuses into its view of nodes and services, dated by the later save', () => {
    const before: MasterView = { master: 'node1', wallMs: at(5_000), nodes: { node1: 'online', node3: 'online' }, services: { 'vm:102': { state: 'started', node: 'node3' } } };
    const after: MasterView = { master: 'node1', wallMs: at(6_100), nodes: { node1: 'online', node3: 'fence' }, services: { 'vm:102': { state: 'fence', node: 'node3' } } };
    assert.deepEqual(masterViewChanges(undefined, before), [], 'the first look is the baseline, not a change');
    assert.deepEqual(masterViewChanges(before, after), [
      { kind: 'node-view', wallMs: at(6_100), master: 'node1', node: 'node3', from: 'online', to: 'fence' },
      { kind: 'service-state', wallMs: at(6_100), sid: 'vm:102', from: { state: 'started', node: 'node3' }, to: { state: 'fence', node: 'node3' } },
    ]);
    assert.deepEqual(masterViewChanges(after, after), []);
    const recovered: MasterView = { ...after, wallMs: at(10_400), services: { 'vm:102': { state: 'started', node: 'node1' } } };
    const [change] = masterViewChanges(after, recovered);
    assert.equal(change && storySentence(change), 'the master sets vm:102 to started on node1 (was fence on node3)');
    assert.equal(storySentence(masterViewChanges(before, after)[1]!), 'the master sets vm:102 to fence on node3 (was started)');
  });

  it('says the failover in one sentence, its parts in the order they happened', () => {
    const recoveries = [{ sid: 'vm:102', to: 'node1', afterMs: 11_000 }];
    assert.equal(
      failoverSentence({ cutNode: 'node3', resetAfterMs: 8_200, leaseTakenAfterMs: 10_400, recoveries }),
      'node3 was reset by its watchdog 8.2 s after it lost the storage; its lease was taken 10.4 s after; vm:102 ran again on node1 11.0 s after',
    );
    assert.equal(
      failoverSentence({ cutNode: 'node3', resetAfterMs: -1, leaseTakenAfterMs: -1, recoveries: [] }),
      'Nothing happened to node3 after it lost the storage',
    );
  });

  it('words the timing profile instead of printing it as JSON', () => {
    const sentence = timingSentence('fast', FAST_TIMING);
    assert.match(sentence, /^timing profile fast: fence_timeout 10\.0 s \(watchdog: client \d+\.\d s, device \d+\.\d s; fence delay \d+\.\d s; round \d+\.\d s\)$/);
    assert.doesNotMatch(sentence, /[{}"]/);
  });

  it('shows the master\'s view of each node in the live table, and the time in seconds', () => {
    const snapshot: ClusterSnapshot = {
      master: 'node1',
      nodes: [
        { node: 'node1', storage: 'ok', masterView: 'online', lrm: 'active/active', crm: 'running', services: ['vm:101', 'vm:102'], resets: 0 },
        { node: 'node3', storage: 'CUT', masterView: 'fence', lrm: 'active/active', crm: 'dead', services: [], resets: 1 },
      ],
      services: [{ sid: 'vm:102', state: 'recovery', node: 'node1', runningOn: [] }],
    };
    const text = renderSnapshot(snapshot, 21_700, 'node3 cut');
    assert.equal(text.split('\n')[0], '--- t+21.7 s  node3 cut');
    assert.match(text, /node\s+storage\s+master's view\s+crm/);
    assert.match(text, /node3\s+CUT\s+fence\s+dead/);
    assert.match(text, /node1 \(master\)\s+ok\s+online\s+running/);
  });

  it('ends with a summary in sentences and seconds', () => {
    const summary: DemoSummary = {
      ok: true, store: 'dir', nodes: ['node1', 'node2', 'node3'], master: 'node1', cutNode: 'node3', profile: 'fast', timing: FAST_TIMING,
      fencedAfterMs: 8_200, leaseTakenAfterMs: 10_400, failoverMs: 11_000, failoverBoundMs: 15_000,
      recoveries: [{ sid: 'vm:102', from: 'node3', to: 'node1', afterMs: 11_000 }], overlaps: 0,
      fencedRecord: 'ha-lrm of node3 was fenced: reset by its (emulated) watchdog 7.6 s after its last lease renewal', story: [],
      leftoverProcesses: 0, durationMs: 33_700,
    };
    const text = renderSummary(summary);
    assert.match(text, /cut node3: node3 was reset by its watchdog 8\.2 s after it lost the storage; its lease was taken 10\.4 s after; vm:102 ran again on node1 11\.0 s after/);
    assert.match(text, /failover time 11\.0 s \(bound of the timing rule and rounds: 15\.0 s\)/);
    assert.doesNotMatch(text, LONG_NUMBER);
    assert.match(text, /^Summary: OK; store a shared directory$/m);
    assert.match(renderSummary({ ...summary, store: 'etcd' }), /^Summary: OK; store etcd \(3 members on loopback\)$/m);
  });

  it('ends a demo fenced through the BMC with the proof, the power times, the parts and the promise', () => {
    const fencing = { mode: 'ipmi', agent: 'fence_ipmilan', failoverMsMax: 20_000, ...fencingFigures(orderStory(FENCED), { node: 'node1', wallMs: CUT_MS, sids: ['vm:101'] }) } as const;
    const summary: DemoSummary = {
      ok: true, store: 'dir', nodes: ['node1', 'node2', 'node3'], master: 'node3', cutNode: 'node1', profile: 'default', timing: FAST_TIMING,
      fencedAfterMs: 5_600, leaseTakenAfterMs: -1, failoverMs: 10_900, failoverBoundMs: 65_000,
      recoveries: [{ sid: 'vm:101', from: 'node1', to: 'node2', afterMs: 10_900 }], overlaps: 0, fencedRecord: null, story: [],
      leftoverProcesses: 0, durationMs: 36_000, fencing,
    };
    const text = renderSummary(summary);
    assert.match(text, /cut node1: node1 was powered off by its BMC 5\.6 s after it lost the storage; vm:101 ran again on node2 10\.9 s after/);
    assert.match(text, /fenced through its BMC \(fence_ipmilan\): proof agent, run by node2; powered off 5\.6 s after the cut, on again 10\.5 s after/);
    assert.match(text, /its parts: noticed 3\.0 s, decided 1\.0 s, request 0\.3 s, agent 3\.8 s, result 0\.9 s, proof 0\.0 s, start 1\.9 s\n/);
    assert.match(text, /failover through the BMC 10\.9 s: within the 20\.0 s/);
    assert.match(renderSummary({ ...summary, failoverMs: 21_000 }), /failover through the BMC 21\.0 s: OVER the 20\.0 s/);
    assert.doesNotMatch(text, LONG_NUMBER);
  });
});
