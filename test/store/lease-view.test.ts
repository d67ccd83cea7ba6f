import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLeases } from '../../src/store/lease-view.ts';

function generation(dir: string, name: string, files: Record<string, unknown>): void {
  const path = join(dir, 'leases', name);
  mkdirSync(path, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(path, file), typeof content === 'string' ? content : JSON.stringify(content));
}

describe('lease view', () => {
  it('shows the highest generation of each lease, with holder, heartbeat and release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-leases-'));
    generation(dir, 'manager.9', { holder: { node: 'node1', takenWallMs: 1 }, heartbeat: { counter: 4, node: 'node1', wallMs: 50 } });
    generation(dir, 'manager.10', { holder: { node: 'node2', takenWallMs: 100 }, heartbeat: { counter: 1, node: 'node2', wallMs: 150 } });
    generation(dir, 'agent.node.a.3', { holder: { node: 'node.a', takenWallMs: 5 }, released: '' });
    generation(dir, 'agent.node2.1', {});
    mkdirSync(join(dir, 'leases', 'not-a-lease'));
    const leases = readLeases(dir);
    assert.deepEqual([...leases.keys()], ['agent.node.a', 'agent.node2', 'manager']);
    assert.deepEqual(leases.get('manager'), {
      name: 'manager',
      generation: 10,
      holder: { node: 'node2', takenWallMs: 100 },
      heartbeat: { counter: 1, node: 'node2', wallMs: 150 },
      isReleased: false,
    });
    assert.equal(leases.get('agent.node.a')!.isReleased, true);
    assert.deepEqual(leases.get('agent.node2'), { name: 'agent.node2', generation: 1, isReleased: false });
  });

  it('is empty without a leases directory and names a corrupt heartbeat file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-leases-'));
    assert.equal(readLeases(dir).size, 0);
    generation(dir, 'manager.1', { heartbeat: '{"counter": 1, "no' });
    assert.throws(() => readLeases(dir), /manager\.1\/heartbeat: Corrupt lease file, not JSON$/);
  });
});
