import { leaseStoreContract } from './lease-store.contract.ts';
import { dirHarness, memoryHarness } from './lease-store-harnesses.ts';

leaseStoreContract('memory (reference semantics)', memoryHarness, { seesRenewalsAtOnce: true });
leaseStoreContract('dir (real temporary directory)', dirHarness, { seesRenewalsAtOnce: false });
