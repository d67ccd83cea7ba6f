import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';

describe('createSharedDirLayout', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ha-layout-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates leases/, status/lrm, status/fenced and commands/, and is idempotent', () => {
    createSharedDirLayout(root);
    createSharedDirLayout(root);
    assert.deepEqual(readdirSync(root).sort(), ['commands', 'leases', 'status']);
    assert.deepEqual(readdirSync(join(root, 'status')).sort(), ['fenced', 'lrm']);
  });

  it('does not create a missing root (a typo or an unmounted path must not become a cluster)', () => {
    assert.throws(() => createSharedDirLayout(join(root, 'missing')), /ENOENT/);
    assert.deepEqual(readdirSync(root), []);
  });
});
