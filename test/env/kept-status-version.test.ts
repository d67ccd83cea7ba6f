import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKeptStatusVersion, writeKeptStatusVersion } from '../../src/env/kept-status-version.ts';

describe('kept manager status version (a real file in the state directory)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-kept-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written, with the wall time it was kept at', () => {
    const file = join(dir, 'lrm-status-version.json');
    assert.deepEqual(readKeptStatusVersion(file), { kind: 'none' });
    writeKeptStatusVersion(file, { lease: 3, round: 12 }, 1_000);
    writeKeptStatusVersion(file, { lease: 3, round: 13 }, 2_000);
    assert.deepEqual(readKeptStatusVersion(file), { kind: 'kept', version: { lease: 3, round: 13 }, wallMs: 2_000 });
  });

  it('names the file of a corrupt one and what it expected', () => {
    const file = join(dir, 'lrm-status-version.json');
    writeFileSync(file, '{"lease": 3, "round": "x"');
    const read = readKeptStatusVersion(file);
    assert.equal(read.kind, 'bad');
    assert.match(read.kind === 'bad' ? read.problem : '', /lrm-status-version\.json: not a kept manager status version/);
  });
});
