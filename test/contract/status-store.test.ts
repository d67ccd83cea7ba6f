import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirStatusStore } from '../../src/store/dir-status-store.ts';
import { EtcdStatusStore } from '../../src/store/etcd/etcd-status-store.ts';
import { createSharedDirLayout, sharedPaths } from '../../src/store/shared-dir.ts';
import { withEtcdWorld, type EtcdWorld } from './etcd-harness.ts';
import { statusStoreContract, type StatusStoreHarness } from './status-store.contract.ts';
import { SimStoreWorld, type SimStoreFault } from './sim-store-harness.ts';
import { SIM_MANAGER_STATUS_FILE, simFencedFile, simLrmStatusFile } from '../../src/sim/sim-status-face.ts';

/** A real temporary shared directory; broken: `status/` replaced by a plain file (ENOTDIR for every call). */
function dirStatusHarness(): StatusStoreHarness {
  const root = mkdtempSync(join(tmpdir(), 'ha-status-'));
  const paths = createSharedDirLayout(root);
  return {
    store: () => new DirStatusStore(root),
    setBroken: (isBroken) => {
      if (isBroken) {
        renameSync(paths.status, `${paths.status}.away`);
        writeFileSync(paths.status, 'not a directory');
      } else {
        rmSync(paths.status);
        renameSync(`${paths.status}.away`, paths.status);
      }
    },
    writeRaw: (what, node, text) => writeFileSync(what === 'manager' ? paths.managerStatus : what === 'lrm' ? paths.lrmStatus(node) : paths.fenced(node), text),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Keys under a fresh prefix of the world's cluster, through node `a`'s cuttable proxy. */
function etcdStatusHarness(world: () => EtcdWorld): StatusStoreHarness {
  const keys = world().freshKeys();
  const client = world().client('a');
  world().setBroken('a', false);
  return {
    store: () => new EtcdStatusStore(client, keys),
    setBroken: (isBroken) => world().setBroken('a', isBroken),
    writeRaw: (what, node, text) => {
      const key = what === 'manager' ? keys.managerHead : what === 'lrm' ? keys.lrmStatus(node) : keys.fenced(node);
      const answer = client.txn({ compare: [], success: [{ put: { key, value: text } }] });
      if ('message' in answer) throw new Error(answer.message);
    },
    cleanup: () => {},
  };
}

/** Node 1's face on a simulated cluster's status memory; broken by the simulator's own fault. */
function simStatusHarness(fault: SimStoreFault): StatusStoreHarness {
  const world = new SimStoreWorld(fault);
  return {
    store: () => world.store('node1').status,
    setBroken: (isBroken) => world.setBroken(isBroken),
    writeRaw: (what, node, text) => void world.cluster.foreignStatusTexts.set(what === 'manager' ? SIM_MANAGER_STATUS_FILE : what === 'lrm' ? simLrmStatusFile(node) : simFencedFile(node), text),
    cleanup: () => {},
  };
}

statusStoreContract('dir (real temporary directory)', dirStatusHarness);
statusStoreContract('simulator (a node\'s storage cut)', () => simStatusHarness('storage-cut'));
statusStoreContract('simulator (the store down)', () => simStatusHarness('store-down'));
withEtcdWorld('on a real 3-member etcd', (world) => {
  statusStoreContract('etcd (real 3-member cluster)', () => etcdStatusHarness(world));
});
