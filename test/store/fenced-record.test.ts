import { strict as assert } from 'node:assert';
import { AssertionError } from '../../src/common/assert.ts';
import { fencedRecordProblems, fencedRecordToJson, parseFencedRecordJson } from '../../src/store/fenced-record.ts';

describe('fenced record (status/fenced/<node>.json)', () => {
  const file = 'status/fenced/node1.json';

  it('parses the documented shape, optional fields included or not', () => {
    assert.deepEqual(parseFencedRecordJson({ node: 'node1', reason: 'Watchdog reset', wallMs: 5 }, file), { node: 'node1', reason: 'Watchdog reset', wallMs: 5 });
    const full = { node: 'node1', reason: 'Watchdog reset', wallMs: 5, lastRenewalWallMs: 3, detail: 'mux stopped feeding' };
    assert.deepEqual(parseFencedRecordJson(full, file), full);
  });

  it('names the file and every problem', () => {
    assert.deepEqual(fencedRecordProblems({ node: 'no/de', reason: 7, wallMs: '5', lastRenewalWallMs: 1.5, detail: 3 }, file), [
      `${file}: Bad node "no/de"`,
      `${file}: reason must be a non-empty string of at most 1000 characters`,
      `${file}: wallMs must be an integer, got "5"`,
      `${file}: lastRenewalWallMs must be an integer, got 1.5`,
      `${file}: detail must be a string`,
    ]);
    assert.throws(() => parseFencedRecordJson(null, file), { message: `${file}: Expected a JSON object` });
  });

  it('refuses to serialise a bad record (a bug of the writer)', () => {
    assert.throws(() => fencedRecordToJson({ node: 'node1', reason: 'x'.repeat(1_001), wallMs: 1 }), AssertionError);
    assert.deepEqual(fencedRecordToJson({ node: 'node1', reason: 'Watchdog reset', wallMs: 1 }), { node: 'node1', reason: 'Watchdog reset', wallMs: 1 });
  });
});
