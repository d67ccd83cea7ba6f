import { strict as assert } from 'node:assert';
import { DEFAULT_TIMING, deriveTiming, REFERENCE_TIMING } from '../../src/common/timing.ts';
import { COMMAND_SLOT_MS_MIN, isReferenceTiming, iterationMsFor, roundMsFor, roundsPerCommandSlot } from '../../src/sim/simulator.ts';

describe('simulator rounds follow the timing of the run', () => {
  it('keeps the reference model for Proxmox timings: 1 s iterations, max(20 s, 2 s per node), a batch every fifth round', () => {
    assert.equal(isReferenceTiming({ ...REFERENCE_TIMING }), true, 'judged by value, not by identity');
    assert.deepEqual([iterationMsFor(3, REFERENCE_TIMING), roundMsFor(3, REFERENCE_TIMING), roundsPerCommandSlot(3, REFERENCE_TIMING)], [1000, 20_000, 5]);
    assert.deepEqual([iterationMsFor(12), roundMsFor(12)], [1000, 24_000]);
    assert.deepEqual([iterationMsFor(40), roundMsFor(40)], [250, 20_000]);
  });

  it('runs rounds of timing.roundMs otherwise, an iteration a share of it (at most 1 s), batches at least 100 s apart', () => {
    assert.equal(DEFAULT_TIMING.roundMs, 3000);
    assert.deepEqual([iterationMsFor(3, DEFAULT_TIMING), roundMsFor(3, DEFAULT_TIMING)], [500, 3000]);
    assert.deepEqual([iterationMsFor(5, DEFAULT_TIMING), roundMsFor(5, DEFAULT_TIMING)], [300, 3000]);
    const slow = deriveTiming(600_000);
    assert.deepEqual([iterationMsFor(3, slow), roundMsFor(3, slow)], [1000, 30_000], 'an iteration never costs more than a second');
    for (const [nodes, timing] of [[3, DEFAULT_TIMING], [5, DEFAULT_TIMING], [7, deriveTiming(10_000)], [2000, DEFAULT_TIMING]] as const) {
      const slotMs = roundsPerCommandSlot(nodes, timing) * roundMsFor(nodes, timing);
      assert.ok(slotMs >= COMMAND_SLOT_MS_MIN && slotMs < COMMAND_SLOT_MS_MIN + roundMsFor(nodes, timing), `${nodes} nodes: slot ${slotMs} ms`);
      assert.ok(2 * nodes * iterationMsFor(nodes, timing) <= roundMsFor(nodes, timing), 'every iteration fits in the round');
    }
  });
});
