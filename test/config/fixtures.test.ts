import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/config/section-config.ts';
import { SectionDocument } from '../../src/config/section-document.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

const GOOD = 'fixtures/configs/good';
const BAD = 'fixtures/configs/bad';

describe('config fixtures', () => {
  const goodDirs = readdirSync(GOOD).sort();
  const badDirs = readdirSync(BAD).sort();

  it('has Proxmox-format examples and at least 50 malformed files, each with its expected error', () => {
    assert.ok(goodDirs.length >= 3, `only ${goodDirs.length} good examples`);
    assert.ok(badDirs.length >= 50, `only ${badDirs.length} malformed files`);
    for (const name of badDirs) assert.match(readFileSync(join(BAD, name, 'expected-error'), 'utf8'), /^\{dir\}\/[a-z]+\.cfg(:\d+)?: [A-Z].*[^.]\n$/, name);
  });

  for (const name of goodDirs) {
    it(`good/${name}: every file reads and writes back byte-identical, and the config loads`, () => {
      const dir = join(GOOD, name);
      for (const file of readdirSync(dir)) {
        const bytes = readFileSync(join(dir, file));
        const rendered = SectionDocument.parse(bytes.toString('utf8'), file).render();
        assert.ok(Buffer.from(rendered).equals(bytes), `${file} changed on the round trip`);
      }
      const { config } = loadHaConfig(new DirClusterStore(dir));
      assert.ok(Object.keys(config.resources).length > 0);
    });
  }

  for (const name of badDirs) {
    it(`bad/${name}: refused with its one-line error`, () => {
      const dir = join(BAD, name);
      const expected = readFileSync(join(dir, 'expected-error'), 'utf8').trimEnd().replaceAll('{dir}', dir);
      assert.throws(
        () => loadHaConfig(new DirClusterStore(dir)),
        (error: unknown) => error instanceof ConfigError && error.message === expected && !error.message.includes('\n'),
        `expected: ${expected}`,
      );
    });
  }
});
