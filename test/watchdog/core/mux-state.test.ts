import { strict as assert } from 'node:assert';
import { AssertionError } from '../../../src/common/assert.ts';
import type { Hello } from '../../../src/watchdog/core/mux-protocol.ts';
import {
  bytesReceived,
  connectionClosed,
  connectionOpened,
  helloReceived,
  initialMuxState,
  muxLimitsViolations,
  muxStopAction,
  muxTick,
  type MuxLimits,
  type MuxState,
} from '../../../src/watchdog/core/mux-state.ts';

const LIMITS: MuxLimits = { clientsMax: 3, clientTimeoutMsMax: 300_000, deviceTimeoutMs: 10_000 };
const bytes = (text: string) => new TextEncoder().encode(text);

/** A mux driven by hand: connection ids count up, every step checks the clock it is given. */
class Mux {
  state: MuxState = initialMuxState(0);
  readonly log: string[] = [];
  private nextId = 0;

  connect(nowMs: number): number {
    const connectionId = this.nextId++;
    const step = connectionOpened(this.state, { connectionId, nowMs }, LIMITS);
    this.apply(step);
    assert.equal(step.isAccepted, true);
    return connectionId;
  }

  hello(connectionId: number, hello: Partial<Hello> & { daemon: string }, nowMs: number) {
    const step = helloReceived(this.state, { connectionId, hello: { timeoutMs: 60_000, pid: 100 + connectionId, isClaiming: false, ...hello }, nowMs }, LIMITS);
    this.apply(step);
    return step.reply;
  }

  /** connect + hello + first keepalive, as the client's open() does. */
  open(daemon: string, nowMs: number, timeoutMs = 60_000): number {
    const connectionId = this.connect(nowMs);
    assert.equal(this.hello(connectionId, { daemon, timeoutMs }, nowMs).accepted, true);
    this.send(connectionId, 'k', nowMs);
    return connectionId;
  }

  send(connectionId: number, text: string, nowMs: number) {
    const step = bytesReceived(this.state, { connectionId, data: bytes(text), nowMs });
    this.apply(step);
    return step;
  }

  close(connectionId: number, nowMs: number): void {
    this.apply(connectionClosed(this.state, { connectionId, nowMs }));
  }

  tick(nowMs: number) {
    const step = muxTick(this.state, nowMs, LIMITS);
    this.apply(step);
    return step;
  }

  private apply(step: { state: MuxState; events: readonly { kind: string }[] }): void {
    this.state = step.state;
    this.log.push(...step.events.map((event) => event.kind));
  }
}

describe('watchdog/core/mux-state (protocol v2)', () => {
  it('feeds with no registration at all, and while every registration keeps alive within its own timeout', () => {
    const mux = new Mux();
    assert.equal(mux.tick(1_000_000).shouldFeed, true);
    const lrm = mux.open('lrm', 1_000_000, 60_000);
    const crm = mux.open('crm', 1_000_000, 20_000);
    for (let nowMs = 1_010_000; nowMs <= 1_300_000; nowMs += 10_000) {
      mux.send(lrm, 'k', nowMs);
      mux.send(crm, 'k', nowMs);
      assert.equal(mux.tick(nowMs + 9_999).shouldFeed, true, `at ${nowMs}`);
    }
    assert.deepEqual(mux.log, ['joined', 'joined']);
  });

  it('each registration has its own timeout: warned at 5/6 of it, the feeding stops strictly past its deadline, for good', () => {
    const mux = new Mux();
    const fast = mux.open('crm', 0, 6_000);
    mux.open('lrm', 0, 60_000);
    assert.deepEqual(mux.tick(4_999).events, []);
    assert.deepEqual(mux.tick(5_000).events, [{ kind: 'warning', daemon: 'crm', pid: 100, silentMs: 5_000, timeoutMs: 6_000 }]);
    assert.deepEqual(mux.tick(6_000).events, [], 'warned once; the deadline itself is still on time');
    const stopped = mux.tick(6_001);
    assert.equal(stopped.shouldFeed, false);
    assert.deepEqual(stopped.events.map((event) => event.kind), ['lost', 'feeding-stopped']);
    assert.deepEqual(mux.state.stop, { reason: mux.state.stop?.reason, atMs: 6_000, daemon: 'crm', isAttached: true });
    assert.match(mux.state.stop?.reason ?? '', /crm \(pid 100, timeout 6000 ms\) missed its deadline: no keepalive for 6001 ms/);
    mux.send(fast, 'k', 6_002);
    assert.equal(mux.tick(6_003).shouldFeed, false, 'a late keepalive does not re-arm: latched');
    assert.equal(mux.tick(30_000).events.length, 0, 'lost once');
  });

  it('a keepalive on time moves the deadline; one after the deadline counts as silence', () => {
    const mux = new Mux();
    const lrm = mux.open('lrm', 0, 60_000);
    mux.send(lrm, 'k', 60_000);
    assert.equal(mux.tick(120_000).shouldFeed, true, 'the keepalive at the deadline was on time');
    const late = mux.send(lrm, 'k', 120_001);
    assert.equal(late.state.stop?.atMs, 120_000);
    assert.equal(mux.tick(120_002).shouldFeed, false);
  });

  it('V then close is a clean leave; H then close is a hand-over that keeps the deadline', () => {
    const mux = new Mux();
    const crm = mux.open('crm', 0);
    mux.send(crm, 'kV', 10_000);
    mux.close(crm, 10_000);
    const lrm = mux.open('lrm', 10_000);
    mux.send(lrm, 'kH', 20_000);
    mux.close(lrm, 21_000);
    assert.deepEqual(mux.log.slice(-3), ['left', 'joined', 'handed-over']);
    assert.deepEqual(mux.state.registrations.map((each) => [each.daemon, each.connectionId, each.deadlineMs]), [['lrm', undefined, 80_000]]);
    assert.equal(mux.tick(80_000).shouldFeed, true);
    assert.equal(mux.tick(80_001).shouldFeed, false, 'nobody claimed it: its deadline stops the feeding');
    assert.equal(mux.state.stop?.isAttached, false);
  });

  it('a close without V or H keeps an armed registration (a killed daemon) and drops an unarmed one', () => {
    const mux = new Mux();
    const armed = mux.open('lrm', 0);
    const unarmed = mux.connect(0);
    mux.hello(unarmed, { daemon: 'crm' }, 0);
    mux.close(unarmed, 1_000);
    mux.close(armed, 2_000);
    assert.deepEqual(mux.log, ['joined', 'joined', 'left', 'detached']);
    assert.deepEqual(mux.state.registrations.map((each) => each.daemon), ['lrm']);
    assert.equal(mux.tick(59_000).shouldFeed, true, 'a detached registration is fed by its deadline, nothing else');
  });

  it('a claiming hello takes over a detached registration without moving its deadline; its keepalive does', () => {
    const mux = new Mux();
    const old = mux.open('lrm', 0, 60_000);
    mux.send(old, 'k', 5_000);
    mux.close(old, 7_000);
    const successor = mux.connect(9_000);
    const reply = mux.hello(successor, { daemon: 'lrm', timeoutMs: 30_000, pid: 777, isClaiming: true }, 9_000);
    assert.deepEqual(reply, { v: 2, accepted: true, claimed: true, keepaliveAgeMs: 4_000, deviceTimeoutMs: 10_000, clientTimeoutMsMax: 300_000 });
    const [registration] = mux.state.registrations;
    assert.deepEqual([registration?.pid, registration?.connectionId, registration?.deadlineMs], [777, successor, 65_000]);
    assert.equal(mux.tick(65_001).shouldFeed, false, 'claiming alone does not keep the node alive');
  });

  it('after a claim, the successor keepalive sets the deadline from its own timeout', () => {
    const mux = new Mux();
    mux.close(mux.open('lrm', 0, 60_000), 1_000);
    const successor = mux.connect(2_000);
    mux.hello(successor, { daemon: 'lrm', timeoutMs: 30_000, isClaiming: true }, 2_000);
    mux.send(successor, 'k', 50_000);
    assert.equal(mux.tick(80_000).shouldFeed, true);
    assert.equal(mux.tick(80_001).shouldFeed, false);
  });

  it('refuses: a timeout above the ceiling, a daemon already attached, a non-claiming hello over a detached registration', () => {
    const mux = new Mux();
    const tooLong = mux.connect(0);
    assert.deepEqual(mux.hello(tooLong, { daemon: 'lrm', timeoutMs: 300_001 }, 0), {
      v: 2,
      accepted: false,
      reason: "lrm (pid 100) announces a timeout of 300001 ms, above this mux's ceiling of 300000 ms (--client-timeout-max)",
    });
    mux.close(tooLong, 0);
    const crm = mux.open('crm', 0);
    const second = mux.connect(1);
    assert.match(JSON.stringify(mux.hello(second, { daemon: 'crm', isClaiming: true }, 1)), /crm is registered already, attached to pid 101/);
    mux.close(second, 2);
    mux.close(crm, 3);
    const restarted = mux.connect(10_000);
    const reply = mux.hello(restarted, { daemon: 'crm' }, 10_000);
    assert.equal(reply.accepted, false);
    assert.match(JSON.stringify(reply), /crm pid 101 left its registration armed \(deadline in 50000 ms\); only a claiming hello/);
    assert.equal(mux.send(restarted, 'k', 10_001).state.registrations[0]?.lastKeepaliveMs, 0, 'bytes after a refusal are ignored');
    assert.deepEqual(mux.log.filter((kind) => kind === 'hello-refused').length, 3);
  });

  it('a claiming hello with nothing to claim is an ordinary join', () => {
    const mux = new Mux();
    const connection = mux.connect(0);
    assert.deepEqual(mux.hello(connection, { daemon: 'lrm', isClaiming: true }, 0), { v: 2, accepted: true, claimed: false, deviceTimeoutMs: 10_000, clientTimeoutMsMax: 300_000 });
  });

  it('refuses connections and registrations beyond clientsMax, and an unreadable hello', () => {
    const mux = new Mux();
    for (const daemon of ['a', 'b', 'c']) mux.close(mux.open(daemon, 0), 0);
    const step = connectionOpened(mux.state, { connectionId: 99, nowMs: 1 }, LIMITS);
    assert.equal(step.isAccepted, true);
    const fourth = helloReceived(step.state, { connectionId: 99, hello: { daemon: 'd', timeoutMs: 1, pid: 1, isClaiming: false }, nowMs: 1 }, LIMITS);
    assert.match(JSON.stringify(fourth.reply), /3 registrations, clientsMax 3/);
    let state = mux.state;
    for (const connectionId of [10, 11, 12]) state = connectionOpened(state, { connectionId, nowMs: 1 }, LIMITS).state;
    assert.equal(connectionOpened(state, { connectionId: 13, nowMs: 1 }, LIMITS).isAccepted, false);
    const garbage = helloReceived(state, { connectionId: 10, hello: { problem: 'hello: not JSON' }, nowMs: 1 }, LIMITS);
    assert.deepEqual(garbage.reply, { v: 2, accepted: false, reason: 'hello: not JSON' });
  });

  it('a byte other than k, V, H is a protocol error; the connection then closes as a close without V', () => {
    const mux = new Mux();
    const lrm = mux.open('lrm', 0);
    assert.equal(mux.send(lrm, 'kx', 1).isProtocolError, true);
    mux.close(lrm, 2);
    assert.deepEqual(mux.log, ['joined', 'protocol-error', 'detached']);
  });

  it('a keepalive after V takes the clean leave back', () => {
    const mux = new Mux();
    const lrm = mux.open('lrm', 0);
    mux.send(lrm, 'Vk', 1);
    mux.close(lrm, 2);
    assert.equal(mux.log.at(-1), 'detached');
  });

  it('magic-closes on a clean stop only with no registration at all and feeding intact', () => {
    const mux = new Mux();
    assert.deepEqual(muxStopAction(mux.state), { action: 'magic-close' });
    const lrm = mux.open('lrm', 0);
    assert.match(JSON.stringify(muxStopAction(mux.state)), /1 registration\(s\) left \(lrm pid 100\)/);
    mux.close(lrm, 1);
    assert.match(JSON.stringify(muxStopAction(mux.state)), /lrm pid 100 \(detached\)/);
    const claimer = mux.connect(2);
    mux.hello(claimer, { daemon: 'lrm', isClaiming: true }, 2);
    mux.send(claimer, 'V', 3);
    mux.close(claimer, 3);
    assert.deepEqual(muxStopAction(mux.state), { action: 'magic-close' });
    mux.tick(100_000);
    const stopped = new Mux();
    stopped.close(stopped.open('crm', 0), 0);
    stopped.tick(60_001);
    assert.match(JSON.stringify(muxStopAction(stopped.state)), /feeding had stopped/);
  });

  it('asserts on unknown connections, a second hello, bytes before the hello and a clock going back', () => {
    const mux = new Mux();
    assert.throws(() => connectionClosed(mux.state, { connectionId: 9, nowMs: 0 }), AssertionError);
    const lrm = mux.open('lrm', 100);
    assert.throws(() => helloReceived(mux.state, { connectionId: lrm, hello: { daemon: 'x', timeoutMs: 1, pid: 1, isClaiming: false }, nowMs: 100 }, LIMITS), /said hello twice/);
    const fresh = mux.connect(100);
    assert.throws(() => bytesReceived(mux.state, { connectionId: fresh, data: bytes('k'), nowMs: 100 }), /before its hello/);
    assert.throws(() => muxTick(mux.state, 50, LIMITS), /clock went back from 100 to 50/);
  });

  it('checks its limits', () => {
    assert.deepEqual(muxLimitsViolations(LIMITS), []);
    assert.deepEqual(muxLimitsViolations({ ...LIMITS, clientsMax: 0 }), ['clientsMax must be a positive integer, got 0']);
  });
});
