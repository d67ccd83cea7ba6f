import { strict as assert } from 'node:assert';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { FOLDERS, layeringProblems, PURE_FILES, PURE_ROOTS, SIDEWAYS, unclassifiedFolders, UNITS } from './layers.ts';
import { codeOnly, importsOf, sourceFiles } from './source-files.ts';

const FORBIDDEN_GLOBALS = ['Date', 'Math.random', 'setTimeout', 'setInterval', 'setImmediate', 'process', 'performance', 'queueMicrotask'];

function directoriesUnder(root: string): string[] {
  const found: string[] = [root];
  for (const entry of readdirSync(root).sort()) {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) found.push(...directoriesUnder(path));
  }
  return found;
}

function pureFiles() {
  const inRoots = PURE_ROOTS.flatMap((root) => sourceFiles(root));
  const single = sourceFiles('src').filter((file) => PURE_FILES.includes(normalize(file.path)));
  return [...inRoots, ...single];
}

/** Folders and files the pure files may import (src/env/env.ts only for its types). */
function isPureTarget(target: string): boolean {
  return PURE_ROOTS.some((root) => target.startsWith(`${root}/`)) || target.startsWith('src/common/') || PURE_FILES.includes(target);
}

describe('layering: every folder under src/ depends downward only', () => {
  it('classifies every folder under src/', () => {
    assert.deepEqual(unclassifiedFolders(directoriesUnder('src')), [], 'add the folder to FOLDERS in test/arch/layers.ts, with its rank');
    for (const folder of Object.keys(FOLDERS)) assert.ok(statSync(folder, { throwIfNoEntry: false })?.isDirectory(), `${folder} is classified but does not exist`);
  });

  it('has no import from a unit to one of its own rank or above, but the listed sideways ones', () => {
    assert.deepEqual(layeringProblems(sourceFiles('src')), []);
  });

  it('allows no sideways import both ways, so the allowed graph has no cycle', () => {
    for (const edge of SIDEWAYS) {
      assert.equal(UNITS[edge.from].rank, UNITS[edge.to].rank, `${edge.from} → ${edge.to} is not sideways`);
      assert.ok(!SIDEWAYS.some((other) => other.from === edge.to && other.to === edge.from), `${edge.from} ↔ ${edge.to}`);
    }
  });

  it('the checker catches an upward import, a sideways one, a value import where only a type is allowed, and an unclassified folder', () => {
    const planted = [
      { path: 'src/store/planted.ts', text: "import { SimLrmEnv } from '../sim/sim-env.ts';\n" },
      { path: 'src/config/planted.ts', text: "import type { DriverResult } from '../resources/resource-driver.ts';\n" },
      { path: 'src/lrm/planted.ts', text: "import { crmRound } from '../crm/crm-daemon.ts';\nimport type { CrmLocal } from '../crm/crm-daemon.ts';\n" },
      { path: 'src/planted/server.ts', text: "import { assert } from '../common/assert.ts';\n" },
      { path: 'src/sim/planted.ts', text: "export { Manager } from '../crm/manager.ts';\nconst later = import('../cli/main.ts');\n" },
    ];
    // A sideways edge that allows types only, as one would be declared, so the value import is the catch.
    const typesOnly = [{ from: 'lrm', to: 'crm', typeOnly: true, why: 'planted' }] as const;
    assert.deepEqual(layeringProblems(planted, typesOnly), [
      'src/store/planted.ts (store, rank 2) imports src/sim/sim-env.ts (sim, rank 4)',
      'src/config/planted.ts (config, rank 3) imports src/resources/resource-driver.ts (resources, rank 3)',
      'src/lrm/planted.ts (lrm, rank 2) imports src/crm/crm-daemon.ts (crm, rank 2)',
      'src/planted/server.ts is in no classified folder',
      'src/sim/planted.ts (sim, rank 4) imports src/cli/main.ts (cli, rank 7)',
    ]);
    assert.equal(layeringProblems(planted).filter((problem) => problem.startsWith('src/lrm/planted.ts')).length, 2, 'with no sideways edge, the type import is caught too');
    assert.deepEqual(unclassifiedFolders(['src', 'src/crm', 'src/planted', 'src/crm/fence']), ['src/planted', 'src/crm/fence']);
  });
});

describe('layering: the pure logic stays pure (src/crm, src/lrm, src/watchdog/core, the request core)', () => {
  it('finds the pure sources', () => {
    const files = pureFiles();
    for (const root of PURE_ROOTS) assert.ok(files.some((file) => file.path.startsWith(root)), `no files under ${root}`);
    for (const path of PURE_FILES) assert.ok(files.some((file) => normalize(file.path) === path), `${path} is missing`);
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

  it('import only common, pure code and the Env types', () => {
    const offenders: string[] = [];
    for (const file of pureFiles()) {
      for (const { from, isTypeOnly } of importsOf(file.text)) {
        if (!from.startsWith('.')) continue;
        const target = normalize(join(dirname(file.path), from));
        if (target === normalize('src/env/env.ts') && isTypeOnly) continue;
        if (!isPureTarget(target)) offenders.push(`${file.path} imports ${target}`);
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
    assert.ok(!isPureTarget('src/resources/driver-registry.ts') && isPureTarget('src/resources/request-steps.ts'));
  });
});
