import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { clusterDir, runCli } from './run-cli.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

describe('ha-manager add, 50 at once', () => {
  it('50 concurrent add calls against one directory leave 50 resources and a valid file', async function () {
    this.timeout(180_000);
    const dir = clusterDir();
    const sids = Array.from({ length: 50 }, (_, index) => `vm:${100 + index}`);
    const results = await Promise.all(sids.map((sid) => runCli(['add', sid, '--node', `node${(Number(sid.slice(3)) % 3) + 1}`, '--dir', dir])));
    assert.deepEqual(
      results.filter((result) => result.code !== 0).map((result) => result.stderr),
      [],
    );
    const { config } = loadHaConfig(new DirClusterStore(dir));
    assert.deepEqual(Object.keys(config.resources).sort(), [...sids].sort());
    assert.equal(config.resources['vm:101']!.node, 'node3');
    assert.deepEqual(readdirSync(dir).sort(), ['ha.cfg', 'resources.cfg'], 'no lock or temp file left behind');
  });
});
