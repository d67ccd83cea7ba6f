import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';
import { DirConfigFiles } from '../../src/store/dir-ports.ts';
import { EtcdClusterStore } from '../../src/store/etcd/etcd-cluster-store.ts';
import { EtcdConfigFiles } from '../../src/store/etcd/etcd-ports.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';
import { configWatchContract, type ConfigWatchHarness } from './config-watch.contract.ts';
import { withEtcdWorld, type EtcdWorld } from './etcd-harness.ts';
import { SimStoreWorld } from './sim-store-harness.ts';

/** Replaces a symlink in one rename, as the local cluster cuts a node (src/cluster/local-cluster.ts). */
function pointLink(link: string, target: string): void {
  rmSync(`${link}.new`, { force: true });
  symlinkSync(target, `${link}.new`);
  renameSync(`${link}.new`, link);
}

/**
 * A real shared directory; the watching node reaches it through its own symlink, cut by pointing the
 * link below a regular file (ENOTDIR), as the local cluster cuts a node; the editor writes the
 * directory itself.
 */
function dirWatchHarness(): ConfigWatchHarness {
  const parent = mkdtempSync(join(tmpdir(), 'ha-watch-'));
  const shared = join(parent, 'shared');
  mkdirSync(shared);
  createSharedDirLayout(shared);
  writeFileSync(join(parent, 'storage-cut'), 'a regular file: paths below it are ENOTDIR');
  mkdirSync(join(parent, 'local'));
  const link = join(parent, 'local', 'shared');
  pointLink(link, shared);
  const opened: DirClusterStore[] = [];
  return {
    watcher: () => {
      const store = new DirClusterStore(link);
      opened.push(store);
      return store;
    },
    editor: () => new DirConfigFiles(shared),
    setBroken: (isBroken) => pointLink(link, isBroken ? join(parent, 'storage-cut', 'shared') : shared),
    elapse: (ms) => sleep(ms),
    readyMs: 500,
    soonMs: 3000,
    quietMs: 500,
    cleanup: () => rmSync(parent, { recursive: true, force: true }),
  };
}

/** Node `a` watches through its cuttable proxies (its own ClusterStore, as a daemon has); node `b` edits. */
function etcdWatchHarness(world: () => EtcdWorld): ConfigWatchHarness {
  const keys = world().freshKeys();
  world().setBroken('a', false);
  const opened: EtcdClusterStore[] = [];
  return {
    watcher: () => {
      const store = new EtcdClusterStore({ endpoints: world().endpoints('a') }, keys.prefix);
      opened.push(store);
      return store;
    },
    editor: () => new EtcdConfigFiles(world().client('b'), keys),
    setBroken: (isBroken) => world().setBroken('a', isBroken),
    elapse: (ms) => sleep(ms),
    readyMs: 500,
    soonMs: 3000,
    quietMs: 500,
    cleanup: () => {
      world().setBroken('a', false);
      for (const store of opened) store.close();
    },
  };
}

/**
 * Node 1 watches, node 2 edits; time is the simulator's, a report comes at the next step. Node 1 is
 * cut by its storage (`storage node1 off`): with the whole store down nobody could edit meanwhile.
 */
function simWatchHarness(): ConfigWatchHarness {
  const world = new SimStoreWorld('storage-cut');
  return {
    watcher: () => world.store('node1'),
    editor: () => world.store('node2').config,
    setBroken: (isBroken) => world.setBroken(isBroken),
    elapse: async (ms) => world.elapse(ms),
    readyMs: 1000,
    soonMs: 1000,
    quietMs: 5000,
    cleanup: () => {},
  };
}

configWatchContract('dir (real temporary directory, a symlink per node)', dirWatchHarness);
configWatchContract('simulator (a node\'s storage cut)', simWatchHarness);
withEtcdWorld('on a real 3-member etcd', (world) => {
  configWatchContract('etcd (real 3-member cluster, a cuttable proxy per node)', () => etcdWatchHarness(world));
});
