import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haCfgText, TIMING_PROFILES } from '../../src/cluster/cluster-config.ts';
import { deriveTiming } from '../../src/common/timing.ts';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

describe('cluster config: the launcher writes fence_timeout and only what a profile overrides', () => {
  it('every profile reads back as the same timing, the derived profiles as fence_timeout alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-cluster-config-'));
    try {
      for (const [name, timing] of Object.entries(TIMING_PROFILES)) {
        const text = haCfgText(timing, 'conditional', ['node1', 'node2']);
        writeFileSync(join(dir, 'ha.cfg'), text);
        assert.deepEqual(loadHaConfig(new DirClusterStore(dir)).timing, timing, name);
        assert.deepEqual(Object.keys(loadHaConfig(new DirClusterStore(dir)).nodes), ['node1', 'node2'], 'the launcher declares its nodes, or their daemons refuse to start');
        const options = text.split('\n').filter((line) => line.startsWith('\t')).map((line) => line.trim().split(' ')[0]);
        if (name !== 'reference') assert.deepEqual(options, ['fence_timeout', 'shutdown_policy'], `${name}: ${text}`);
      }
      const reference = haCfgText(TIMING_PROFILES.reference, 'freeze', []);
      assert.match(reference, /^\tfence_timeout 120$/m);
      assert.match(reference, /^\twatchdog_client_timeout 60$/m, 'what differs from the derivation is written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a profile that breaks a timing rule', () => {
    assert.throws(() => haCfgText({ ...deriveTiming(10_000), watchdogClientTimeoutMs: 9_000 }, 'freeze', []), /^Error: Timing profile refused: fence_timeout 10 s must exceed/);
  });
});
