import { strict as assert } from 'node:assert';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import sinon from 'sinon';
import { EtcdGateway } from '../../../src/store/etcd/etcd-gateway.ts';
import { EtcdSyncClient } from '../../../src/store/etcd/etcd-sync-client.ts';
import { EtcdPrefixWatch, type PrefixChange } from '../../../src/store/etcd/etcd-watch.ts';
import { LocalEtcdCluster } from '../../../src/cluster/etcd-members.ts';
import { skipWithoutEtcd } from '../../contract/etcd-harness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for a stream to deliver on a loaded machine; the periodic range runs every 500 ms here. */
const DELIVERY_MS_MAX = 8_000;

describe('EtcdPrefixWatch on a real 3-member etcd', function () {
  let cluster: LocalEtcdCluster;
  let writer: EtcdSyncClient;
  let gateway: EtcdGateway;
  let watch: EtcdPrefixWatch | undefined;
  let seen: PrefixChange[];
  let problems: string[];
  before(function () {
    skipWithoutEtcd(this, 'the etcd watch cases');
  });
  beforeEach(async () => {
    cluster = await LocalEtcdCluster.start();
    seen = [];
    problems = [];
  });
  afterEach(async () => {
    watch?.stop();
    gateway?.close();
    writer?.close();
    await cluster.stop();
  });

  /** The watch's gateway lists `first` first: its stream opens there, and its ranges go to the next member. */
  async function startWatch(first = cluster.members[0]!): Promise<EtcdPrefixWatch> {
    gateway = new EtcdGateway({ endpoints: [first.clientUrl, ...cluster.members.filter((member) => member !== first).map((member) => member.clientUrl)] });
    watch = new EtcdPrefixWatch({ gateway, prefix: `${cluster.prefix}w/`, resyncMs: 500, onChanges: (changes) => seen.push(...changes), onProblem: (problem) => problems.push(problem) });
    await watch.start();
    return watch;
  }
  const put = (name: string, value: string) => {
    const answer = writer.txn({ compare: [], success: [{ put: { key: `${cluster.prefix}w/${name}`, value } }] });
    assert.ok(!('message' in answer), JSON.stringify(answer));
  };
  const remove = (name: string) => writer.deleteRange({ key: `${cluster.prefix}w/${name}` });
  const summary = () => seen.map((change) => `${change.kind} ${change.key.slice(`${cluster.prefix}w/`.length)}${change.kind === 'put' ? `=${change.value}` : ''}`);
  async function until(count: number): Promise<void> {
    const deadlineMs = Date.now() + DELIVERY_MS_MAX;
    while (seen.length < count && Date.now() < deadlineMs) await sleep(50);
    await sleep(700); // and nothing more comes: no change twice
  }

  it('delivers the keys present at the start, then every put and delete once, in order', async () => {
    writer = new EtcdSyncClient({ endpoints: cluster.endpoints });
    put('a', '1');
    await startWatch();
    assert.deepEqual(summary(), ['put a=1']);
    put('b', '2');
    put('a', '3');
    remove('b');
    await until(4);
    assert.deepEqual(summary(), ['put a=1', 'put b=2', 'put a=3', 'delete b']);
    const revisions = seen.map((change) => change.modRevision);
    assert.deepEqual(revisions, [...revisions].sort((x, y) => x - y));
  });

  it('a periodic range answered late (older than what the stream delivered) brings back no old value', async () => {
    writer = new EtcdSyncClient({ endpoints: cluster.endpoints });
    gateway = new EtcdGateway({ endpoints: cluster.endpoints });
    const real = gateway;
    let isSlow = false;
    // Ranges answer 400 ms late once the watch runs: every periodic range is older than the stream's events.
    const slowRanges: Pick<EtcdGateway, 'post' | 'stream'> = {
      post: async (path, body) => {
        const answer = await real.post(path, body);
        if (isSlow && path === '/v3/kv/range') await sleep(400);
        return answer;
      },
      stream: (path, body) => real.stream(path, body),
    };
    watch = new EtcdPrefixWatch({ gateway: slowRanges, prefix: `${cluster.prefix}w/`, resyncMs: 100, onChanges: (changes) => seen.push(...changes) });
    await watch.start();
    isSlow = true;
    for (let index = 1; index <= 6; index++) {
      put('a', String(index));
      await sleep(150);
    }
    await until(6);
    assert.deepEqual(summary(), ['put a=1', 'put a=2', 'put a=3', 'put a=4', 'put a=5', 'put a=6']);
  });

  it('the member it streams from is killed: the watch resumes on another from the last revision, nothing lost or twice', async () => {
    const leader = await cluster.leader();
    const streaming = cluster.members.find((member) => member !== leader)!;
    writer = new EtcdSyncClient({ endpoints: cluster.members.filter((member) => member !== streaming).map((member) => member.clientUrl) });
    await startWatch(streaming);
    put('a', '1');
    await until(1);
    await cluster.kill(streaming);
    for (let index = 2; index <= 5; index++) put('a', String(index));
    await until(5);
    assert.deepEqual(summary(), ['put a=1', 'put a=2', 'put a=3', 'put a=4', 'put a=5']);
  });

  it('the member it streams from is SIGSTOPped (the stream stalls, no signal): the periodic range delivers the changes', async () => {
    const leader = await cluster.leader();
    const streaming = cluster.members.find((member) => member !== leader)!;
    writer = new EtcdSyncClient({ endpoints: cluster.members.filter((member) => member !== streaming).map((member) => member.clientUrl) });
    await startWatch(streaming);
    cluster.pause(streaming);
    try {
      put('a', '1');
      put('b', '2');
      await until(2);
      assert.deepEqual(summary().sort(), ['put a=1', 'put b=2']);
      assert.ok(problems.some((problem) => /a full range found 2 changes/.test(problem)), `the range, not the stream, delivered them: ${problems.join('; ')}`);
      put('a', '3');
      await until(3);
      assert.deepEqual(summary().slice(2), ['put a=3'], 'the reopened stream (or the next range) delivers later changes');
    } finally {
      cluster.resume(streaming);
    }
  });
});

describe('EtcdPrefixWatch while every member is out of reach (virtual time)', () => {
  it('opens the stream again less and less often, up to every 5 s, and after 200 ms again once a stream answered', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: 0 });
    const opens: number[] = [];
    let isReachable = false;
    const answered = new PassThrough();
    const gateway = {
      post: async () => ({ kind: 'ok' as const, json: { header: { revision: '1' }, kvs: [] } }),
      stream: async () => {
        opens.push(Date.now());
        if (!isReachable) return { kind: 'unavailable' as const, message: 'connect ECONNREFUSED' };
        return { kind: 'ok' as const, response: answered as unknown as IncomingMessage, request: new PassThrough() as unknown as ClientRequest };
      },
    };
    const watch = new EtcdPrefixWatch({ gateway, prefix: 'p/', onChanges: () => {}, onProblem: () => {} });
    try {
      await watch.start();
      await clock.tickAsync(30_000);
      const gaps = opens.slice(1).map((atMs, index) => atMs - opens[index]!);
      assert.deepEqual(gaps, [200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000, 5_000], 'the periodic range (every 10 s) opens nothing in between');
      isReachable = true;
      await clock.tickAsync(5_000);
      const opened = opens.length;
      answered.write('{"result":{"header":{"revision":"1"},"created":true}}\n');
      answered.end();
      await clock.tickAsync(0);
      const endedAtMs = Date.now();
      await clock.tickAsync(1_000);
      assert.deepEqual(opens.slice(opened), [endedAtMs + 200]);
    } finally {
      watch.stop();
      clock.restore();
    }
  });
});
