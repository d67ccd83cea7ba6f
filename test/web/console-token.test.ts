import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOrCreateToken, TokenFileError } from '../../src/web/console-token.ts';

describe('web: the token file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'web-token-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created with mode 0600 (its directory 0700) and read back the same', () => {
    const file = join(dir, 'new', 'web.token');
    const first = readOrCreateToken(file);
    assert.equal(first.isCreated, true);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'new')).mode & 0o777, 0o700);
    assert.ok(first.token.length >= 40);
    assert.equal(readFileSync(file, 'utf8').trim(), first.token);
    assert.deepEqual(readOrCreateToken(file), { token: first.token, isCreated: false });
  });

  it('is refused when others may read it, naming the file and the cure', () => {
    const file = join(dir, 'web.token');
    writeFileSync(file, 'a-token-of-some-length-1234567890\n');
    chmodSync(file, 0o644);
    assert.throws(() => readOrCreateToken(file), (error: Error) => error instanceof TokenFileError && error.message === `Token file ${file} may be read by others (mode 0644): run 'chmod 600 ${file}'`);
  });

  it('is refused when it holds a short token', () => {
    const file = join(dir, 'web.token');
    writeFileSync(file, 'short\n', { mode: 0o600 });
    assert.throws(() => readOrCreateToken(file), /holds no usable token/);
  });
});
