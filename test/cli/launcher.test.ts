import { strict as assert } from 'node:assert';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: bin/daemon-module.mjs is plain JavaScript without declarations (it runs before tsx).
import { isBuildFresh } from '../../bin/daemon-module.mjs';
import { freshDir } from './run-cli.ts';

const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

describe('bin/ launchers: dist/ when it is fresh, else the sources (bin/daemon-module.mjs)', () => {
  it('is fresh only when the build stamp is at least as new as every file under src/, however deep', () => {
    const root = freshDir('ha-launcher-');
    mkdirSync(join(root, 'src', 'cli', 'commands'), { recursive: true });
    const deep = join(root, 'src', 'cli', 'commands', 'status.ts');
    writeFileSync(join(root, 'src', 'top.ts'), '');
    writeFileSync(deep, '');
    at(join(root, 'src', 'top.ts'), 1000);
    at(deep, 1000);
    assert.equal(isBuildFresh(root), false, 'no dist/ at all');
    mkdirSync(join(root, 'dist'));
    const stamp = join(root, 'dist', '.build-stamp');
    writeFileSync(stamp, '');
    at(stamp, 2000);
    assert.equal(isBuildFresh(root), true);
    at(deep, 3000); // a source edited after the build
    assert.equal(isBuildFresh(root), false);
    at(stamp, 3000);
    assert.equal(isBuildFresh(root), true);
  });
});
