import { strict as assert } from 'node:assert';
import { COMMANDS_PER_TAKE_MAX } from '../../src/store/command-queue.ts';
import type { CommandQueue, ConfigFiles, ConfigRead } from '../../src/store/store-ports.ts';

/** What the shared command-queue and config-files suites need from one store. */
export interface StorePortsHarness {
  /** A queue of one process (the CLI, a master); several share one store. */
  commands(): CommandQueue;
  config(): ConfigFiles;
  setBroken(isBroken: boolean): void;
  cleanup(): void;
}

function textOf(read: ConfigRead): { text: string; version: string } {
  assert.equal(read.kind, 'ok', JSON.stringify(read));
  return read as { text: string; version: string };
}

/** The command-queue and config-files contracts: every store passes both. */
export function storePortsContract(label: string, makeHarness: () => StorePortsHarness): void {
  describe(`CommandQueue and ConfigFiles contract: ${label}`, () => {
    let harness: StorePortsHarness;
    beforeEach(() => {
      harness = makeHarness();
    });
    afterEach(() => harness.cleanup());

    it('commands come out oldest first, each to one take only', () => {
      const cli = harness.commands();
      assert.deepEqual(cli.read(), []);
      assert.deepEqual(cli.take(), []);
      for (const line of ['migrate vm:101 node2', 'stop vm:102 30', 'relocate ct:200 node3']) assert.equal((cli.enqueue(line) as { kind: string }).kind, 'queued');
      assert.deepEqual((cli.read() as ReadonlyArray<{ line: string }>).map((command) => command.line), ['migrate vm:101 node2', 'stop vm:102 30', 'relocate ct:200 node3']);
      const master = harness.commands();
      const formerMaster = harness.commands();
      assert.deepEqual(master.take(), ['migrate vm:101 node2', 'stop vm:102 30', 'relocate ct:200 node3']);
      assert.deepEqual(formerMaster.take(), [], 'taken once');
      assert.deepEqual(cli.read(), []);
    });

    it(`a take returns at most ${COMMANDS_PER_TAKE_MAX} commands; the rest wait for the next`, () => {
      const cli = harness.commands();
      for (let index = 0; index < COMMANDS_PER_TAKE_MAX + 3; index++) cli.enqueue(`migrate vm:${1000 + index} node2`);
      const first = harness.commands().take() as string[];
      assert.equal(first.length, COMMANDS_PER_TAKE_MAX);
      assert.equal(first[0], 'migrate vm:1000 node2');
      assert.deepEqual(harness.commands().take(), [`migrate vm:${1000 + COMMANDS_PER_TAKE_MAX} node2`, `migrate vm:${1001 + COMMANDS_PER_TAKE_MAX} node2`, `migrate vm:${1002 + COMMANDS_PER_TAKE_MAX} node2`]);
    });

    it('a command that is not one non-empty line is refused as an error', () => {
      assert.throws(() => harness.commands().enqueue('migrate vm:101 node2\nstop vm:102'), /one non-empty line/);
      assert.throws(() => harness.commands().enqueue('  '), /one non-empty line/);
    });

    it('a config file holds exactly the text written; a write compares the version it read', () => {
      const config = harness.config();
      assert.deepEqual(config.read('resources.cfg'), { kind: 'missing' });
      const text = 'vm: 101\n\tstate started\n\tcomment "näive ✓"\n';
      const created = config.write('resources.cfg', text, undefined);
      assert.equal(created.kind, 'written');
      const read = textOf(config.read('resources.cfg'));
      assert.equal(read.text, text);
      assert.equal(read.version, (created as { version: string }).version);
      assert.deepEqual(config.write('resources.cfg', 'vm: 102\n', undefined), { kind: 'conflict' }, 'it exists now');
      assert.equal(textOf(config.read('resources.cfg')).text, text);
      assert.deepEqual(config.read('rules.cfg'), { kind: 'missing' }, 'files are independent');
    });

    it('two editors read the same version: the first write wins, the second gets a conflict, rereads and wins', () => {
      const first = harness.config();
      const second = harness.config();
      assert.equal(first.write('ha.cfg', 'fence_timeout 60\n', undefined).kind, 'written');
      const seenByFirst = textOf(first.read('ha.cfg')).version;
      const seenBySecond = textOf(second.read('ha.cfg')).version;
      assert.equal(first.write('ha.cfg', 'fence_timeout 90\n', seenByFirst).kind, 'written');
      assert.deepEqual(second.write('ha.cfg', 'fence_timeout 30\n', seenBySecond), { kind: 'conflict' });
      assert.equal(textOf(second.read('ha.cfg')).text, 'fence_timeout 90\n', 'the first edit is not lost');
      assert.equal(second.write('ha.cfg', 'fence_timeout 30\n', textOf(second.read('ha.cfg')).version).kind, 'written');
      assert.equal(textOf(first.read('ha.cfg')).text, 'fence_timeout 30\n');
    });

    it('writeAll writes every file or none: one changed file since the read is a conflict for all', () => {
      const config = harness.config();
      const created = config.writeAll([
        { file: 'groups.cfg', text: 'group: g1\n\tnodes node1\n', expectedVersion: undefined },
        { file: 'resources.cfg', text: 'vm: 101\n\tgroup g1\n', expectedVersion: undefined },
      ]);
      assert.equal(created.kind, 'written', JSON.stringify(created));
      const versions = (created as { versions: Record<string, string> }).versions;
      assert.equal(textOf(config.read('groups.cfg')).version, versions['groups.cfg']);
      assert.equal(textOf(config.read('resources.cfg')).version, versions['resources.cfg']);
      const other = harness.config();
      assert.equal(other.write('resources.cfg', 'vm: 101\n', versions['resources.cfg']).kind, 'written', 'another editor changes one of the two');
      const stale = config.writeAll([
        { file: 'groups.cfg', text: '', expectedVersion: versions['groups.cfg'] },
        { file: 'resources.cfg', text: 'vm: 101\n\tnode node1\n', expectedVersion: versions['resources.cfg'] },
      ]);
      assert.deepEqual(stale, { kind: 'conflict' });
      assert.equal(textOf(config.read('groups.cfg')).text, 'group: g1\n\tnodes node1\n', 'the file that had not changed is not written either');
      assert.equal(textOf(config.read('resources.cfg')).text, 'vm: 101\n');
      assert.deepEqual(config.writeAll([{ file: 'rules.cfg', text: 'x\n', expectedVersion: 'not-a-version' }]), { kind: 'conflict' }, 'a file that does not exist has no version');
      assert.deepEqual(config.read('rules.cfg'), { kind: 'missing' });
    });

    it('an unreachable store is unavailable for commands and config, never a throw', () => {
      const config = harness.config();
      const commands = harness.commands();
      harness.setBroken(true);
      assert.equal((commands.enqueue('migrate vm:101 node2') as { kind: string }).kind, 'unavailable');
      assert.equal((commands.take() as { kind: string }).kind, 'unavailable');
      assert.equal((commands.read() as { kind: string }).kind, 'unavailable');
      assert.equal(config.read('fence.cfg').kind, 'unavailable');
      assert.equal(config.write('fence.cfg', 'x\n', undefined).kind, 'unavailable');
      assert.equal(config.writeAll([{ file: 'ha.cfg', text: 'x\n', expectedVersion: undefined }]).kind, 'unavailable');
      harness.setBroken(false);
      assert.equal(config.write('fence.cfg', 'x\n', undefined).kind, 'written');
    });
  });
}
