import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { failoverBoundMs, FAST_TIMING } from '../../src/cluster/cluster-config.ts';
import {
  CLIENT_TIMEOUT_ROUNDS_MIN,
  DEFAULT_TIMING,
  deriveTiming,
  membershipSilenceMs,
  minimumLeaseTimeoutMs,
  REFERENCE_TIMING,
  timingViolations,
} from '../../src/common/timing.ts';

describe('timing: one knob (fence_timeout) and the rules every timing keeps', () => {
  it('derives a timing that keeps every rule, for any fence timeout from 9 s to 10 min', () => {
    for (let fenceTimeoutMs = 9_000; fenceTimeoutMs <= 600_000; fenceTimeoutMs += 500) {
      const timing = deriveTiming(fenceTimeoutMs);
      assert.deepEqual(timingViolations(timing), [], `fence timeout ${fenceTimeoutMs} ms: ${JSON.stringify(timing)}`);
      assert.equal(timing.leaseTimeoutMs, fenceTimeoutMs, 'the lease timeout is the fence timeout');
      assert.equal(timing.watchdogClientTimeoutMs % 1000, 0, 'the client timeout is whole seconds');
      assert.equal(timing.watchdogDeviceTimeoutMs % 1000, 0, 'the device timeout is whole seconds');
      assert.ok(timing.watchdogDeviceTimeoutMs >= 1000 && timing.watchdogDeviceTimeoutMs <= 10_000);
      // The client timeout is the largest whole second that leaves one second free under the fence timeout.
      const room = fenceTimeoutMs - 1000 - timing.watchdogDeviceTimeoutMs - timing.renewalMaxMs - timing.driftMarginMs;
      assert.ok(timing.watchdogClientTimeoutMs < room && timing.watchdogClientTimeoutMs + 1000 >= room, `client ${timing.watchdogClientTimeoutMs} ms, room ${room} ms`);
    }
  });

  it('with the default fence timeout (60 s) a failover is bounded by fence_timeout + 15 s; the fast profile (10 s) by 15 s', () => {
    assert.equal(DEFAULT_TIMING.leaseTimeoutMs, 60_000);
    assert.ok(failoverBoundMs(DEFAULT_TIMING) <= DEFAULT_TIMING.leaseTimeoutMs + 15_000, `bound ${failoverBoundMs(DEFAULT_TIMING)} ms`);
    assert.equal(FAST_TIMING.leaseTimeoutMs, 10_000);
    assert.ok(failoverBoundMs(FAST_TIMING) <= 15_000, `bound ${failoverBoundMs(FAST_TIMING)} ms`);
    // The Proxmox figures the issue compares with: a lease that must outlast 60 + 10 + 10 + 10 s.
    assert.ok(failoverBoundMs(DEFAULT_TIMING) < minimumLeaseTimeoutMs(REFERENCE_TIMING));
  });

  it('a lost node reaches fence before its lease may be taken: fence delay + silence + 2 rounds < fence timeout', () => {
    for (const timing of [DEFAULT_TIMING, FAST_TIMING, REFERENCE_TIMING, deriveTiming(9_000), deriveTiming(300_000)]) {
      assert.ok(timing.fenceDelayMs + membershipSilenceMs(timing) + 2 * timing.roundMs < timing.leaseTimeoutMs, JSON.stringify(timing));
    }
  });

  it('uses an explicit timing in place of the derived one, and derives the client timeout from it', () => {
    const timing = deriveTiming(60_000, { watchdogDeviceTimeoutMs: 5_000, roundMs: 2_000 });
    assert.equal(timing.watchdogDeviceTimeoutMs, 5_000);
    assert.equal(timing.roundMs, 2_000);
    assert.equal(timing.watchdogClientTimeoutMs, DEFAULT_TIMING.watchdogClientTimeoutMs + 5_000, 'five seconds less device, five more client');
    assert.equal(deriveTiming(60_000, { watchdogClientTimeoutMs: 30_000 }).watchdogClientTimeoutMs, 30_000);
  });

  it('names the options and the numbers of every broken rule', () => {
    const messages = (timing: Parameters<typeof timingViolations>[0]) => timingViolations(timing).map((violation) => violation.message);
    assert.deepEqual(messages({ ...DEFAULT_TIMING, watchdogClientTimeoutMs: 50_000 }), [
      'fence_timeout 60 s must exceed watchdog_client_timeout 50 s + watchdog_device_timeout 10 s + renewal_max 5 s + drift_margin 3 s = 68 s (a node must be reset before its lease may be taken)',
    ]);
    assert.deepEqual(messages({ ...DEFAULT_TIMING, roundMs: 12_000 }), [
      `watchdog_client_timeout 40 s must span at least ${CLIENT_TIMEOUT_ROUNDS_MIN} rounds: ${CLIENT_TIMEOUT_ROUNDS_MIN} × round 12 s = 48 s`,
      'fence_delay 30 s + 5 × round 12 s = 90 s must be below fence_timeout 60 s (a lost node must be in fence before its lease may be taken)',
    ]);
    assert.deepEqual(messages({ ...DEFAULT_TIMING, watchdogDeviceTimeoutMs: 2_500 }), ['watchdog_device_timeout 2500 ms must be whole seconds (watchdog devices count in seconds)']);
    assert.deepEqual(messages({ ...DEFAULT_TIMING, renewalMaxMs: 0.5 }), ['renewal_max must be a positive whole number of ms, got 0.5']);
    assert.deepEqual(timingViolations(deriveTiming(8_000)).map((violation) => violation.fields), [['watchdogClientTimeoutMs', 'roundMs']], 'below 9 s the round must be set too');
  });

  it('docs/cli.md quotes the derivation as deriveTiming states it, and an error a fixture really gives', () => {
    const source = readFileSync('src/common/timing.ts', 'utf8');
    const comment = /\/\*\*\n \* The timings of a fence timeout F[\s\S]*?\n \*\/\nexport function deriveTiming/.exec(source)![0];
    const rules = comment.split('\n').map((line) => line.replace(/^ \* ?/, '')).filter((line) => line.startsWith('- ') || line.startsWith('  '));
    const docs = readFileSync('docs/cli.md', 'utf8');
    const quoted = /<!-- derivation: start -->\n([\s\S]*?)\n<!-- derivation: end -->/.exec(docs)![1]!.split('\n');
    assert.ok(rules.length >= 6);
    assert.deepEqual(quoted, rules);
    const fixture = 'fixtures/configs/bad/h-unsafe-client-timeout';
    const error = readFileSync(`${fixture}/expected-error`, 'utf8').trim().replace('{dir}/', '');
    assert.ok(docs.includes(`    ${error}\n`), `docs/cli.md shows the error of ${fixture}`);
  });
});
