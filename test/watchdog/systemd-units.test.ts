import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const UNITS_DIR = fileURLToPath(new URL('../../systemd/', import.meta.url));

/** `Key=value` settings of a unit file, by key (repeated keys keep every value). */
function settings(unit: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of readFileSync(`${UNITS_DIR}${unit}`, 'utf8').split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) map.set(match[1]!, [...(map.get(match[1]!) ?? []), match[2]!]);
  }
  return map;
}

function words(map: Map<string, string[]>, key: string): string[] {
  return (map.get(key) ?? []).flatMap((value) => value.split(/\s+/));
}

describe('systemd units', () => {
  it('the mux is never restarted, is spared by the OOM killer and comes before the daemons', () => {
    const mux = settings('ha-watchdog-mux.service');
    assert.deepEqual(mux.get('Restart'), ['no']);
    assert.deepEqual(mux.get('OOMScoreAdjust'), ['-1000']);
    assert.deepEqual(words(mux, 'Before').sort(), ['ha-crm.service', 'ha-lrm.service']);
    assert.match(mux.get('ExecStart')?.[0] ?? '', /\/bin\/ha-watchdog-mux( |$)/);
  });

  it('no unit sets a client timeout: each daemon announces its own (ha.cfg), so nothing can fall out of step', () => {
    for (const unit of readdirSync(UNITS_DIR).filter((name) => name.endsWith('.service'))) {
      assert.doesNotMatch(readFileSync(`${UNITS_DIR}${unit}`, 'utf8'), /client[-_ ]timeout/i, unit);
    }
  });

  for (const daemon of ['ha-crm', 'ha-lrm']) {
    it(`${daemon} starts after the mux, needs it, and runs bin/${daemon}`, () => {
      const unit = settings(`${daemon}.service`);
      assert.ok(words(unit, 'After').includes('ha-watchdog-mux.service'));
      assert.ok(words(unit, 'Requires').includes('ha-watchdog-mux.service'));
      assert.match(unit.get('ExecStart')?.[0] ?? '', new RegExp(`/bin/${daemon}$`));
      assert.notDeepEqual(unit.get('Restart'), ['no']);
    });
  }

  it('systemd-analyze verify accepts them (ExecStart pointed at /bin/true)', function () {
    if (spawnSync('systemd-analyze', ['--version']).status !== 0) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'ha-units-'));
    try {
      const units = readdirSync(UNITS_DIR).filter((name) => name.endsWith('.service'));
      for (const unit of units) {
        writeFileSync(join(dir, unit), readFileSync(`${UNITS_DIR}${unit}`, 'utf8').replace(/^ExecStart=\S+/m, 'ExecStart=/bin/true'));
      }
      const result = spawnSync('systemd-analyze', ['verify', ...units.map((unit) => `./${unit}`)], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      assert.equal(`${result.stdout}${result.stderr}`.trim(), '');
      assert.equal(result.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
