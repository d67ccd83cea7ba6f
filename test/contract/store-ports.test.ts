import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirCommandQueue, DirConfigFiles } from '../../src/store/dir-ports.ts';
import { EtcdCommandQueue, EtcdConfigFiles } from '../../src/store/etcd/etcd-ports.ts';
import { createSharedDirLayout } from '../../src/store/shared-dir.ts';
import { withEtcdWorld, type EtcdWorld } from './etcd-harness.ts';
import { storePortsContract, type StorePortsHarness } from './store-ports.contract.ts';
import { SimStoreWorld, type SimStoreFault } from './sim-store-harness.ts';

/** A real temporary shared directory; broken: the directory moved away and a plain file in its place (ENOTDIR). */
function dirPortsHarness(): StorePortsHarness {
  const parent = mkdtempSync(join(tmpdir(), 'ha-ports-'));
  const root = join(parent, 'shared');
  mkdirSync(root);
  createSharedDirLayout(root);
  return {
    commands: () => new DirCommandQueue(root),
    config: () => new DirConfigFiles(root),
    setBroken: (isBroken) => {
      if (isBroken) {
        renameSync(root, `${root}.away`);
        writeFileSync(root, 'not a directory');
      } else {
        rmSync(root);
        renameSync(`${root}.away`, root);
      }
    },
    cleanup: () => rmSync(parent, { recursive: true, force: true }),
  };
}

/** Keys under a fresh prefix of the world's cluster, through node `a`'s cuttable proxy. */
function etcdPortsHarness(world: () => EtcdWorld): StorePortsHarness {
  const keys = world().freshKeys();
  world().setBroken('a', false);
  return {
    commands: () => new EtcdCommandQueue(world().client('a'), keys),
    config: () => new EtcdConfigFiles(world().client('a'), keys),
    setBroken: (isBroken) => world().setBroken('a', isBroken),
    cleanup: () => {},
  };
}

/** Node 1's faces on a simulated cluster (the CLI and each master a face of its own); broken by the simulator's own fault. */
function simPortsHarness(fault: SimStoreFault): StorePortsHarness {
  const world = new SimStoreWorld(fault);
  return {
    commands: () => world.store('node1').commands,
    config: () => world.store('node1').config,
    setBroken: (isBroken) => world.setBroken(isBroken),
    cleanup: () => {},
  };
}

storePortsContract('dir (real temporary directory)', dirPortsHarness);
storePortsContract('simulator (a node\'s storage cut)', () => simPortsHarness('storage-cut'));
storePortsContract('simulator (the store down)', () => simPortsHarness('store-down'));
withEtcdWorld('on a real 3-member etcd', (world) => {
  storePortsContract('etcd (real 3-member cluster)', () => etcdPortsHarness(world));
});
