import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseSimServiceArgs } from '../../src/resources/sim-service.ts';

const BIN = fileURLToPath(new URL('../../bin/ha-sim-service', import.meta.url));

describe('ha-sim-service arguments', () => {
  const good = ['--sid', 'vm:101', '--node', 'node1', '--ledger-dir', '/s/ledger', '--pid-file', '/n/pids/service-vm.101.pid'];

  it('parses the four arguments', () => {
    assert.deepEqual(parseSimServiceArgs(good), { sid: 'vm:101', node: 'node1', ledgerDir: '/s/ledger', pidFile: '/n/pids/service-vm.101.pid' });
  });

  it('names the bad argument and its value', () => {
    assert.throws(() => parseSimServiceArgs(['--sid', 'vm 101', ...good.slice(2)]), /^Error: Bad argument --sid: "vm 101"$/);
    assert.throws(() => parseSimServiceArgs(['--node', '-x', ...good.slice(0, 2)]), /Bad argument --node: "-x"/);
    assert.throws(() => parseSimServiceArgs([...good, '--color', 'red']), /Unknown argument: "--color"/);
    assert.throws(() => parseSimServiceArgs(good.slice(0, 6)), /Missing argument --pid-file/);
    assert.throws(() => parseSimServiceArgs([...good.slice(0, 7)]), /Missing value of --pid-file/);
  });

  it('exits 2 with one line on stderr when started with bad arguments', () => {
    const result = spawnSync(process.execPath, [BIN, '--sid', 'bad sid'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 2);
    assert.equal(result.stderr, 'ha-sim-service: Bad argument --sid: "bad sid"\n');
  });
});
