import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCrmCommand } from '../../src/crm/crm-command.ts';
import { enqueueCommand, listQueuedCommands, takeQueuedCommands } from '../../src/store/command-queue.ts';

describe('command queue', () => {
  it('writes one line per file named <seq>.<node>.<pid>.cmd, in queue order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-queue-'));
    const first = enqueueCommand(dir, 'migrate vm:100 node2', { wallMs: 1_700_000_000_123 });
    const second = enqueueCommand(dir, 'stop vm:100 30', { wallMs: 1_700_000_000_123 });
    assert.match(first, new RegExp(`^001700000000123-\\d{4}\\.${hostname().replaceAll('.', '\\.')}\\.${process.pid}\\.cmd$`));
    assert.ok(first < second);
    assert.equal(readFileSync(join(dir, 'commands', first), 'utf8'), 'migrate vm:100 node2\n');
    assert.deepEqual(listQueuedCommands(dir), [first, second]);
  });

  it('lets the master take the commands oldest first, skipping temp files, and leaves the queue empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-queue-'));
    enqueueCommand(dir, 'enable-node-maintenance node1', { wallMs: 2000 });
    enqueueCommand(dir, 'relocate ct:200 node3', { wallMs: 1000 });
    writeFileSync(join(dir, 'commands', '.000000000000500-0000.x.1.cmd.tmp.x.1.0'), 'half');
    const lines = takeQueuedCommands(dir);
    assert.deepEqual(lines, ['relocate ct:200 node3', 'enable-node-maintenance node1']);
    for (const line of lines) assert.ok(parseCrmCommand(line).ok, `the master parses ${line}`);
    assert.deepEqual(readdirSync(join(dir, 'commands')), ['.000000000000500-0000.x.1.cmd.tmp.x.1.0']);
  });

  it('refuses a line break inside a command', () => {
    assert.throws(() => enqueueCommand(mkdtempSync(join(tmpdir(), 'ha-queue-')), 'stop vm:1 1\nmigrate vm:1 x'), /one non-empty line expected/);
  });
});
