import type { ClusterStore, LeaseStoreFor } from '../cluster-store.ts';
import { SIGNED_CONFIG_FILES } from '../cluster-store.ts';
import type { LeaseStore } from '../lease-store.ts';
import type { LeaseView } from '../lease-view.ts';
import { decodeLeaseRecord } from './etcd-lease-record.ts';
import type { ConfigFileName, StoreUnavailable } from '../store-ports.ts';
import { EtcdGateway, type EtcdConnectionOptions } from './etcd-gateway.ts';
import { EtcdKeys, isFailure, underPrefix } from './etcd-keys.ts';
import { EtcdLeaseStore } from './etcd-lease-store.ts';
import { EtcdCommandQueue, EtcdConfigFiles } from './etcd-ports.ts';
import { EtcdStatusStore } from './etcd-status-store.ts';
import { EtcdSyncClient } from './etcd-sync-client.ts';
import { EtcdPrefixWatch } from './etcd-watch.ts';

/**
 * etcd as a ClusterStore (DESIGN.md "The etcd store"): one synchronous client (a worker thread) for the
 * ports, and, only when something watches the config, one asynchronous gateway on the caller's loop.
 */
export class EtcdClusterStore implements ClusterStore {
  readonly kind = 'etcd';
  readonly where: string;
  readonly keys: EtcdKeys;
  readonly client: EtcdSyncClient;
  readonly status: EtcdStatusStore;
  readonly commands: EtcdCommandQueue;
  readonly config: EtcdConfigFiles;

  constructor(
    readonly connection: EtcdConnectionOptions,
    prefix?: string,
  ) {
    this.keys = new EtcdKeys(prefix);
    this.where = `etcd ${connection.endpoints.join(',')} ${this.keys.prefix}`;
    this.client = new EtcdSyncClient(connection);
    this.status = new EtcdStatusStore(this.client, this.keys);
    this.commands = new EtcdCommandQueue(this.client, this.keys);
    this.config = new EtcdConfigFiles(this.client, this.keys);
  }

  leaseStore(options: LeaseStoreFor): LeaseStore {
    return new EtcdLeaseStore({ client: this.client, keys: this.keys, ...options });
  }

  probe(): 'ready' | 'not-set-up' | StoreUnavailable {
    const answer = this.client.range({ key: this.keys.cluster, keysOnly: true });
    if (isFailure(answer)) return { kind: 'unavailable', message: answer.message };
    return answer.kvs.length > 0 ? 'ready' : 'not-set-up';
  }

  setUp(): 'ready' | StoreUnavailable {
    const key = this.keys.cluster;
    const value = JSON.stringify({ setUpWallMs: Date.now() });
    const answer = this.client.txn({ compare: [{ key, modRevision: 0 }], success: [{ put: { key, value } }] });
    return isFailure(answer) ? { kind: 'unavailable', message: answer.message } : 'ready';
  }

  /** The config keys' mod revisions, from one keys-only range. */
  configSignature(): string | StoreUnavailable {
    const answer = this.client.range({ ...underPrefix(this.keys.configFiles), keysOnly: true });
    if (isFailure(answer)) return { kind: 'unavailable', message: answer.message };
    const revisions = new Map(answer.kvs.map((kv) => [kv.key, kv.modRevision]));
    return SIGNED_CONFIG_FILES.map((file) => revisions.get(this.keys.config(file)) ?? 0).join('|');
  }

  watchConfig(onChange: () => void, onProblem: (message: string) => void): () => Promise<void> {
    const watch = new EtcdPrefixWatch({ gateway: new EtcdGateway(this.connection), prefix: this.keys.configFiles, onChanges: () => onChange(), onProblem });
    void watch.start();
    return async () => watch.stop();
  }

  /** One range over `leases/`; `wallMs` of a value is the writer's wall clock, for display only. */
  readLeases(): Map<string, LeaseView> | StoreUnavailable {
    const prefix = `${this.keys.prefix}leases/`;
    const answer = this.client.range(underPrefix(prefix));
    if (isFailure(answer)) return { kind: 'unavailable', message: answer.message };
    const leases = new Map<string, LeaseView>();
    for (const kv of answer.kvs) {
      const name = kv.key.slice(prefix.length);
      const record = decodeLeaseRecord(kv);
      const wallMs = wallMsOf(kv.value);
      const holder = record.holder === undefined ? {} : { holder: { node: record.holder, takenWallMs: wallMs }, heartbeat: { counter: record.counter, node: record.holder, wallMs } };
      leases.set(name, { name, generation: record.generation, ...holder, isReleased: record.isReleased });
    }
    return new Map([...leases].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  configName(file: ConfigFileName): string {
    return `etcd:${this.keys.config(file)}`;
  }

  leaseName(name: string): string {
    return `etcd:${this.keys.prefix}leases/${name}`;
  }

  close(): void {
    this.client.close();
  }
}

function wallMsOf(value: string): number {
  try {
    const wallMs = (JSON.parse(value) as { wallMs?: unknown }).wallMs;
    return typeof wallMs === 'number' ? wallMs : 0;
  } catch {
    return 0;
  }
}
