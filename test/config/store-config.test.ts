import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/section-config.ts';
import { selectStore, storeFlagsOf, StoreConfigError } from '../../src/config/store-config.ts';

describe('store selection (store-config.ts): flags, then HA_MANAGER_STORE, then HA_MANAGER_DIR, then store.cfg', () => {
  let dir: string;
  let cfg: string;
  const envWith = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ HA_MANAGER_STORE_CFG: cfg, ...extra });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-store-cfg-'));
    cfg = join(dir, 'store.cfg');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is the shared directory /etc/ha-manager when nothing says otherwise', () => {
    assert.deepEqual(selectStore({}, envWith()), { kind: 'dir', dir: '/etc/ha-manager', from: 'the default' });
  });

  it('takes --dir, then HA_MANAGER_DIR, for a dir store', () => {
    assert.equal(selectStore({ dir: '/srv/a' }, envWith({ HA_MANAGER_DIR: '/srv/b' })).kind, 'dir');
    assert.equal((selectStore({ dir: '/srv/a' }, envWith({ HA_MANAGER_DIR: '/srv/b' })) as { dir: string }).dir, '/srv/a');
    assert.equal((selectStore({}, envWith({ HA_MANAGER_DIR: '/srv/b' })) as { dir: string }).dir, '/srv/b');
  });

  it('takes --store etcd --endpoints, keeping --dir as the directory of driver files', () => {
    const selection = selectStore({ store: 'etcd', endpoints: 'http://127.0.0.1:2379,https://10.0.0.2:2379/', dir: '/srv/files' }, envWith());
    assert.equal(selection.kind, 'etcd');
    if (selection.kind !== 'etcd') return;
    assert.deepEqual(selection.connection.endpoints, ['http://127.0.0.1:2379', 'https://10.0.0.2:2379']);
    assert.equal(selection.prefix, '/ha-manager/');
    assert.equal(selection.dir, '/srv/files');
    assert.deepEqual(storeFlagsOf(selection), ['--store', 'etcd', '--endpoints', 'http://127.0.0.1:2379,https://10.0.0.2:2379', '--dir', '/srv/files']);
  });

  it('takes HA_MANAGER_STORE over HA_MANAGER_DIR and the store file', () => {
    writeFileSync(cfg, 'store: dir\ndir: /srv/from-file\n');
    const selection = selectStore({}, envWith({ HA_MANAGER_STORE: 'etcd:http://127.0.0.1:2379', HA_MANAGER_DIR: '/srv/env' }));
    assert.equal(selection.kind, 'etcd');
    assert.equal(selection.from, 'HA_MANAGER_STORE');
    assert.deepEqual((selectStore({}, envWith({ HA_MANAGER_STORE: 'dir:/srv/x' })) as { dir: string }).dir, '/srv/x');
  });

  it('reads the store file with TLS files, a user and a password file, and a prefix', () => {
    const password = join(dir, 'etcd.password');
    writeFileSync(password, 'secret\n');
    writeFileSync(cfg, `# the cluster's etcd\nstore: etcd\nendpoints: https://10.0.0.1:2379, https://10.0.0.2:2379\nprefix: /clusters/a/\nca-file: /etc/ha-manager/ca.pem\nuser: ha\npassword-file: ${password}\ncall-timeout-ms: 2000\n`);
    const selection = selectStore({}, envWith());
    assert.equal(selection.kind, 'etcd');
    if (selection.kind !== 'etcd') return;
    assert.equal(selection.from, cfg);
    assert.equal(selection.prefix, '/clusters/a/');
    assert.deepEqual(selection.connection, {
      endpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'],
      tls: { caFile: '/etc/ha-manager/ca.pem' },
      auth: { user: 'ha', password: 'secret' },
      callTimeoutMs: 2000,
    });
    // --store etcd alone takes the endpoints and the rest from the file.
    const flagged = selectStore({ store: 'etcd' }, envWith());
    assert.equal(flagged.kind === 'etcd' && flagged.connection.auth?.user, 'ha');
  });

  it('names the flag or the variable of a bad value', () => {
    assert.throws(() => selectStore({ store: 'nfs' }, envWith()), (error: Error) => error instanceof StoreConfigError && /^--store: 'nfs'/.test(error.message));
    assert.throws(() => selectStore({ store: 'etcd' }, envWith()), /--store etcd needs --endpoints/);
    assert.throws(() => selectStore({ store: 'etcd', endpoints: 'ftp://x:1' }, envWith()), /--endpoints: 'ftp:\/\/x:1' is not an etcd endpoint/);
    assert.throws(() => selectStore({ store: 'dir', endpoints: 'http://x:1' }, envWith()), /--endpoints: only with --store etcd/);
    // --endpoints alone means etcd; --dir beside it names the driver files' directory.
    assert.equal(selectStore({ dir: '/x', endpoints: 'http://x:1' }, envWith()).kind, 'etcd');
    assert.throws(() => selectStore({}, envWith({ HA_MANAGER_STORE: 'consul' })), /HA_MANAGER_STORE: 'consul' is not a store/);
  });

  it('names the file and line of a bad store file', () => {
    const cases: Array<[string, RegExp]> = [
      ['store: etcd\nendpoint: http://x:1\n', /store\.cfg:2: unknown key 'endpoint'/],
      ['store: etcd\n', /store\.cfg:1: store: etcd needs an 'endpoints' line/],
      ['store: zookeeper\n', /store\.cfg:1: store 'zookeeper' is not a store/],
      ['dir: /a\ndir: /b\n', /store\.cfg:2: 'dir' given twice/],
      ['just words\n', /store\.cfg:1: expected 'key: value'/],
      ['store: etcd\nendpoints: http://x:1\nuser: ha\n', /store\.cfg:3: 'user' and 'password-file' go together/],
      ['store: etcd\nendpoints: http://x:1\nprefix: nope\n', /store\.cfg:3: prefix must start and end with '\/'/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(cfg, text);
      assert.throws(() => selectStore({}, envWith()), (error: Error) => error instanceof ConfigError && message.test(error.message), text);
    }
    writeFileSync(cfg, 'store: etcd\nendpoints: http://x:1, nope\n');
    assert.throws(() => selectStore({}, envWith()), /store\.cfg:2: 'nope' is not an etcd endpoint/);
  });
});
