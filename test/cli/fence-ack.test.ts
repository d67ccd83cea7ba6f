import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir, runCli } from './run-cli.ts';

/** node1 online and node3 fenced in the master's last status; node3's services wait for a proof. */
function cluster(): string {
  const dir = freshDir('ha-fence-ack-');
  writeFileSync(join(dir, 'resources.cfg'), 'vm: 103\n\tnode node3\n\n');
  mkdirSync(join(dir, 'status', 'lrm'), { recursive: true });
  const status = { master_node: 'node1', node_status: { node1: 'online', node2: 'maintenance', node3: 'fence' }, service_status: {}, node_request: {} };
  writeFileSync(join(dir, 'status', 'manager.json'), JSON.stringify(status));
  return dir;
}

function queued(dir: string): string[] {
  try {
    return readdirSync(join(dir, 'commands')).sort().map((name) => readFileSync(join(dir, 'commands', name), 'utf8'));
  } catch {
    return [];
  }
}

describe('ha-manager fence-ack', () => {
  it('queues the confirmation with who gave it, and says what a wrong one costs', async () => {
    const dir = cluster();
    const result = await runCli(['fence-ack', 'node3', '--by', 'admin@pve', '--dir', dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Queued for the master: fence-ack node3 admin@pve\n');
    assert.match(result.stderr, /run twice/);
    assert.deepEqual(queued(dir), ['fence-ack node3 admin@pve\n']);
  });

  it('refuses a node the master last saw online or in maintenance, and an unknown node, queueing nothing', async () => {
    const dir = cluster();
    for (const [node, pattern, code] of [['node1', /node1 is online/, 2], ['node2', /node2 is maintenance/, 2], ['node9', /Unknown node 'node9'/, 2]] as const) {
      const result = await runCli(['fence-ack', node, '--dir', dir]);
      assert.equal(result.code, code, `${node}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
    }
    assert.deepEqual(queued(dir), []);
  });

  it('refuses an operator name that is not one word', async () => {
    const result = await runCli(['fence-ack', 'node3', '--by', 'a b', '--dir', cluster()]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Bad operator name 'a b'/);
  });
});
