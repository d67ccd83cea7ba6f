import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonUsageError, parseNodeOptions } from '../../src/env/node-options.ts';

describe('parseNodeOptions: which store the daemons use', () => {
  let root: string;
  /** An environment with no store variables and a store file of the test's own (absent unless written). */
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ha-node-options-'));
    env = { HA_MANAGER_STORE_CFG: join(root, 'store.cfg') };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function refusal(argv: string[]): DaemonUsageError {
    try {
      parseNodeOptions(['--node', 'node1', ...argv], env);
    } catch (error) {
      assert.ok(error instanceof DaemonUsageError, String(error));
      return error;
    }
    assert.fail(`${argv.join(' ')} was accepted`);
  }

  it('--dir is a dir store whose directory also holds the drivers\' files', () => {
    const options = parseNodeOptions(['--node', 'node1', '--dir', '/srv/ha'], env);
    assert.deepEqual([options.store.kind, options.store.dir, options.driverDir], ['dir', '/srv/ha', '/srv/ha']);
  });

  it('--store etcd --endpoints: etcd, with --dir naming only the drivers\' directory', () => {
    const options = parseNodeOptions(['--node', 'node1', '--store', 'etcd', '--endpoints', 'http://10.0.0.1:2379,http://10.0.0.2:2379', '--dir', '/srv/drivers'], env);
    assert.equal(options.store.kind, 'etcd');
    assert.ok(options.store.kind === 'etcd');
    assert.deepEqual(options.store.connection.endpoints, ['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
    assert.equal(options.store.prefix, '/ha-manager/');
    assert.equal(options.driverDir, '/srv/drivers');
    assert.equal(parseNodeOptions(['--node', 'node1', '--store', 'etcd', '--endpoints', 'http://10.0.0.1:2379'], env).driverDir, undefined, 'no --dir: no drivers\' directory');
  });

  it('HA_MANAGER_STORE and the store file select etcd for a daemon started with no store flag (as the systemd units are)', () => {
    env.HA_MANAGER_STORE = 'etcd:http://10.0.0.1:2379';
    assert.equal(parseNodeOptions(['--node', 'node1'], env).store.kind, 'etcd');
    delete env.HA_MANAGER_STORE;
    writeFileSync(env.HA_MANAGER_STORE_CFG!, 'store: etcd\nendpoints: http://10.0.0.3:2379\nprefix: /prod/\ndir: /srv/drivers\n');
    const options = parseNodeOptions(['--node', 'node1'], env);
    assert.ok(options.store.kind === 'etcd');
    assert.deepEqual([options.store.connection.endpoints, options.store.prefix, options.driverDir], [['http://10.0.0.3:2379'], '/prod/', '/srv/drivers']);
  });

  it('a bad flag value is one line naming the flag, with the usage', () => {
    const cases: Array<[string[], string]> = [
      [['--store', 'zfs'], `--store: 'zfs' is not a store (dir or etcd)`],
      [['--store', 'etcd'], `--store etcd needs --endpoints URL[,URL...] (or a store file ${env.HA_MANAGER_STORE_CFG} with store: etcd)`],
      [['--endpoints', '10.0.0.1:2379'], `--endpoints: '10.0.0.1:2379' is not an etcd endpoint (http(s)://host:port)`],
      [['--store', 'dir', '--endpoints', 'http://10.0.0.1:2379'], '--endpoints: only with --store etcd'],
    ];
    for (const [argv, message] of cases) {
      const error = refusal(argv);
      assert.deepEqual([error.message, error.isCommandLine], [message, true], argv.join(' '));
    }
  });

  it('a bad store file or variable is one line naming it (the file with its line), without the usage', () => {
    writeFileSync(env.HA_MANAGER_STORE_CFG!, 'store: etcd\nendpoint: http://10.0.0.1:2379\n');
    const error = refusal([]);
    assert.equal(error.isCommandLine, false);
    assert.match(error.message, new RegExp(`^Bad store file ${env.HA_MANAGER_STORE_CFG}:2: unknown key 'endpoint' \\(known: store, dir, endpoints, `));
    rmSync(env.HA_MANAGER_STORE_CFG!);
    env.HA_MANAGER_STORE = 'zfs';
    const variable = refusal([]);
    assert.deepEqual([variable.message, variable.isCommandLine], [`HA_MANAGER_STORE: 'zfs' is not a store (dir, dir:PATH, etcd or etcd:URL[,URL...])`, false]);
  });
});
