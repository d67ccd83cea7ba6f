import { etcdLeaseHarness, withEtcdWorld } from './etcd-harness.ts';
import { leaseStoreContract } from './lease-store.contract.ts';
import { dirHarness, memoryHarness, simHarness } from './lease-store-harnesses.ts';

leaseStoreContract('memory (reference semantics)', memoryHarness, { seesRenewalsAtOnce: true, isHeldPerNode: true });
leaseStoreContract('dir (real temporary directory)', dirHarness, { seesRenewalsAtOnce: false, isHeldPerNode: false });
leaseStoreContract('simulator (per-node face)', simHarness, { seesRenewalsAtOnce: true, isHeldPerNode: true });
withEtcdWorld('on a real 3-member etcd', (world) => {
  leaseStoreContract('etcd (real 3-member cluster, a cuttable proxy per node)', (timeoutMs) => etcdLeaseHarness(world, timeoutMs), { seesRenewalsAtOnce: false, isHeldPerNode: false });
});
