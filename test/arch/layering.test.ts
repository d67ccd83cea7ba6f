import { strict as assert } from 'node:assert';
import { dirname, join, normalize } from 'node:path';
import { codeOnly, importsOf, sourceFiles } from './source-files.ts';

/** The pure decision logic: no I/O, no clock, no randomness of its own. */
const PURE_ROOTS = ['src/crm', 'src/lrm', 'src/watchdog/core'];
/** Folders the pure logic may import from (src/env only for the Env types). */
const PURE_MAY_IMPORT = ['src/common', 'src/crm', 'src/lrm', 'src/watchdog/core'];
const FORBIDDEN_GLOBALS = ['Date', 'Math.random', 'setTimeout', 'setInterval', 'setImmediate', 'process', 'performance', 'queueMicrotask'];

function pureFiles() {
  return PURE_ROOTS.flatMap((root) => {
    try {
      return sourceFiles(root);
    } catch {
      return [];
    }
  });
}

describe('layering: src/crm and src/lrm stay pure', () => {
  it('finds the pure sources', () => {
    const files = pureFiles();
    assert.ok(files.some((file) => file.path.startsWith('src/crm')), 'no files under src/crm');
    assert.ok(files.some((file) => file.path.startsWith('src/lrm')), 'no files under src/lrm');
  });

  it('import no node:* module and no package', () => {
    const offenders: string[] = [];
    for (const file of pureFiles()) {
      for (const { from } of importsOf(file.text)) {
        if (!from.startsWith('.')) offenders.push(`${file.path} imports ${from}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('import only common, crm, lrm and the Env types', () => {
    const offenders: string[] = [];
    for (const file of pureFiles()) {
      for (const { from, isTypeOnly } of importsOf(file.text)) {
        if (!from.startsWith('.')) continue;
        const target = normalize(join(dirname(file.path), from));
        if (target === normalize('src/env/env.ts') && isTypeOnly) continue;
        if (!PURE_MAY_IMPORT.some((root) => target.startsWith(root))) offenders.push(`${file.path} imports ${target}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('use no Date, Math.random, timers or process', () => {
    const offenders: string[] = [];
    for (const file of pureFiles()) {
      const code = codeOnly(file.text);
      for (const name of FORBIDDEN_GLOBALS) {
        const pattern = new RegExp(`(?<![\\w.])${name.replace('.', '\\.')}(?![\\w])`);
        if (pattern.test(code)) offenders.push(`${file.path} uses ${name}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('the checker itself catches a forbidden use', () => {
    const planted = "import { readFileSync } from 'node:fs';\nconst now = Date.now();\n// Math.random in a comment is fine\n";
    assert.deepEqual(importsOf(planted), [{ from: 'node:fs', isTypeOnly: false }]);
    assert.match(codeOnly(planted), /(?<![\w.])Date(?![\w])/);
    assert.doesNotMatch(codeOnly(planted), /Math\.random/);
  });
});
