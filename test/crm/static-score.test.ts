import { strict as assert } from 'node:assert';
import { staticScores } from '../../src/crm/static-score.ts';

const node = (name: string, usedCpu: number, usedMemBytes: number) => ({ node: name, cpus: 16, memoryBytes: 64e9, usedCpu, usedMemBytes });

describe('staticScores (TOPSIS)', () => {
  it('scores an empty node above a loaded one', () => {
    const scores = staticScores([node('a', 8, 32e9), node('b', 0, 0)], 2, 4e9);
    assert.ok(scores.get('b')! > scores.get('a')!);
  });

  it('gives symmetric nodes the same score', () => {
    const scores = staticScores([node('a', 2, 4e9), node('b', 2, 4e9)], 2, 4e9);
    assert.equal(scores.get('a'), scores.get('b'));
  });

  it('weighs memory above CPU', () => {
    // a is CPU-heavy, b is memory-heavy by the same fraction: the memory-heavy one scores worse.
    const scores = staticScores([node('a', 8, 0), node('b', 0, 32e9)], 1, 1e9);
    assert.ok(scores.get('a')! > scores.get('b')!);
  });

  it('a service without a CPU limit counts with all of the node CPUs', () => {
    const limited = staticScores([node('a', 0, 0), node('b', 4, 0)], 1, 0);
    const unlimited = staticScores([node('a', 0, 0), node('b', 4, 0)], 0, 0);
    assert.ok(limited.get('a')! > limited.get('b')!);
    assert.ok(unlimited.get('a')! > unlimited.get('b')!);
  });
});
