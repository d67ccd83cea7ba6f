import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/common/ha-config.ts';
import { DEFAULT_TIMING } from '../../src/common/timing.ts';
import { defaultHaCfgText } from '../../src/config/default-ha-cfg.ts';
import { loadHaConfig } from '../../src/config/load-config.ts';
import { checkSharedFilesystem } from '../../src/store/shared-dir-check.ts';
import { runCli } from './run-cli.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'ha-init-'));

describe('ha-manager init: sets a shared directory up once', () => {
  it('checks the filesystem, creates leases/, status/ and commands/ and a commented ha.cfg that loads to the defaults', async () => {
    const dir = scratch();
    const result = await runCli(['init', '--dir', dir]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.filter((line) => line.startsWith('checked: ')).map((line) => line.slice(9, line.indexOf(' ('))), ['mkdir is exclusive', 'rename replaces a file whole', 'a new file is visible at once']);
    assert.deepEqual(lines.filter((line) => line.startsWith('created ')), ['leases/', 'status/', 'status/lrm/', 'status/fenced/', 'commands/'].map((path) => `created ${join(dir, path)}`));
    assert.deepEqual(readdirSync(dir).sort(), ['commands', 'ha.cfg', 'leases', 'status'], 'the check leaves nothing behind');
    assert.equal(readFileSync(join(dir, 'ha.cfg'), 'utf8'), defaultHaCfgText());
    const { config, timing } = loadHaConfig(new DirClusterStore(dir));
    assert.deepEqual(timing, DEFAULT_TIMING);
    assert.deepEqual(config.settings, DEFAULT_CLUSTER_SETTINGS);
    assert.ok(defaultHaCfgText().split('\n').filter((line) => /^\t[a-z_]+ /.test(line)).length >= 5);
  });

  it('run again, creates nothing and keeps an ha.cfg that is there', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tfence_timeout 90\n');
    assert.equal((await runCli(['init', '--dir', dir])).code, 0);
    const again = await runCli(['init', '--dir', dir]);
    assert.equal(again.code, 0);
    assert.ok(!again.stdout.includes('created '), again.stdout);
    assert.match(again.stdout, /^kept .*ha\.cfg as it is$/m);
    assert.equal(readFileSync(join(dir, 'ha.cfg'), 'utf8'), 'ha: cluster\n\tfence_timeout 90\n');
  });

  it('--nodes declares the nodes: in the new ha.cfg, or added to one that is kept; a bad name is refused before anything', async () => {
    const dir = scratch();
    const result = await runCli(['init', '--dir', dir, '--nodes', 'node1,node2,node3']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^declared the nodes node1, node2, node3$/m);
    assert.equal(readFileSync(join(dir, 'ha.cfg'), 'utf8'), defaultHaCfgText(['node1', 'node2', 'node3']));
    assert.deepEqual(Object.keys(loadHaConfig(new DirClusterStore(dir)).nodes), ['node1', 'node2', 'node3']);
    assert.deepEqual(loadHaConfig(new DirClusterStore(dir)).config.settings, DEFAULT_CLUSTER_SETTINGS);
    const again = await runCli(['init', '--dir', dir, '--nodes', 'node3,node4']);
    assert.match(again.stdout, /^kept .*ha\.cfg, declared the nodes node4 in it$/m);
    assert.deepEqual(Object.keys(loadHaConfig(new DirClusterStore(dir)).nodes), ['node1', 'node2', 'node3', 'node4']);
    const bare = scratch();
    const bad = await runCli(['init', '--dir', bare, '--nodes', 'node1,node_2']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "ha-manager: --nodes: Bad node name 'node_2': letters, digits, '-' and '.', starting and ending with a letter or digit, at most 64 characters\n");
    assert.deepEqual(readdirSync(bare), []);
  });

  it('refuses a directory that does not exist (an unmounted share), creating nothing', async () => {
    const parent = scratch();
    const missing = join(parent, 'mnt', 'ha');
    const result = await runCli(['init', '--dir', missing]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `ha-manager: Shared directory ${missing} does not exist or is not a directory: mount the shared filesystem there first (for one host, create it with mkdir)\n`);
    assert.deepEqual(readdirSync(parent), []);
  });

  it('the filesystem checks pass on a local filesystem and leave nothing, not even what an interrupted check left', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'x'));
    mkdirSync(join(dir, '.init-check-42', 'lease.1'), { recursive: true });
    const checks = checkSharedFilesystem(dir, 42);
    assert.deepEqual(checks.map((check) => check.isOk), [true, true, true]);
    assert.deepEqual(readdirSync(dir), ['x']);
  });
});
