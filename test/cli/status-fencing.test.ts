import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir, runCli } from './run-cli.ts';

describe('ha-manager status: external fencing', () => {
  it('shows the fence job under way with its failures, a pending confirmation, and the last proof, in both layouts and in JSON', async () => {
    const dir = freshDir('ha-status-fence-');
    mkdirSync(join(dir, 'status', 'lrm'), { recursive: true });
    const status = {
      master_node: 'node1',
      node_status: { node1: 'online', node2: 'unknown', node3: 'fence' },
      service_status: {},
      node_request: {},
      fencing: { node3: { uid: 'f7', proxy: 'node1', action: 'off', level: 1, failed_passes: 2, last_error: 'level 1 (ipmi): Failed: Unable to obtain correct plug status or plug is not available' } },
      fence_acks: { node2: { by: 'admin@pve' } },
      last_fence: { node2: { proof: 'agent', timestamp: 5 } },
    };
    writeFileSync(join(dir, 'status', 'manager.json'), JSON.stringify(status));
    const plain = await runCli(['status', '--dir', dir]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /\n {2}fencing: fence level 2 \(off\), run by node1; every level failed 2 times; last error: level 1 \(ipmi\): Failed/);
    assert.match(plain.stdout, /\n {2}fence-ack by admin@pve: the master takes it as proof/);
    assert.match(plain.stdout, /\n {2}last fence proof: agent \(its fence devices powered it off\)/);
    const verbose = await runCli(['status', '--verbose', '--dir', dir]);
    assert.match(verbose.stdout, /node3: fencing: fence level 2/);
    const json = await runCli(['status', '--output-format', 'json', '--dir', dir]);
    const nodes = JSON.parse(json.stdout).nodes as Array<{ node: string; fence: { attempt: { level: number } | null } }>;
    assert.equal(nodes.find((node) => node.node === 'node3')?.fence.attempt?.level, 1);
  });
});
