import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAST_TIMING, haCfgText, resourcesCfgText } from '../../src/cluster/cluster-config.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';
import { BIN, runCli } from '../cli/run-cli.ts';

/** Until the command says where it serves: a tsx start on a loaded machine takes seconds. */
const START_MS_MAX = 60_000;

describe('ha-manager web (a real process)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'web-command-'));
    mkdirSync(join(root, 'shared'));
    const paths = createSharedDirLayout(join(root, 'shared'));
    writeFileSync(paths.settings, haCfgText(FAST_TIMING, 'conditional', ['node1']));
    writeFileSync(paths.resources, resourcesCfgText([{ sid: 'vm:100', node: 'node1' }]));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('serves the status, makes a 0600 token file, says where it is but never what, and stops on SIGTERM', async () => {
    const child = spawn(BIN, ['web', '--dir', join(root, 'shared'), '--state-dir', join(root, 'state'), '--listen', '127.0.0.1:0', '--node', 'node1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const startMs = Date.now();
      while (!/at (http:\S+)/.test(stderr) && Date.now() - startMs < START_MS_MAX) await new Promise((resolve) => setTimeout(resolve, 100));
      const url = /at (http:\S+)/.exec(stderr)?.[1];
      assert.ok(url, `no URL in: ${stderr}`);
      const status = (await (await fetch(new URL('/api/status', url))).json()) as { services: Array<{ sid: string }> };
      assert.deepEqual(status.services.map((service) => service.sid), ['vm:100']);
      const tokenFile = join(root, 'state', 'web.token');
      assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
      assert.ok(!stderr.includes(readFileSync(tokenFile, 'utf8').trim()), 'the token is never printed');
      assert.match(stderr, new RegExp(`actions need the token in ${tokenFile} \\(created now\\), readable by root only: 'sudo cat ${tokenFile}'`));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });

  it('a bad --listen is one line and exit 2', async () => {
    const result = await runCli(['web', '--dir', join(root, 'shared'), '--state-dir', join(root, 'state'), '--listen', 'nowhere']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'ha-manager: --listen: expected HOST:PORT (e.g. 127.0.0.1:8006, [::1]:8006), got "nowhere"\n');
  });
});
