import { assert } from '../../common/assert.ts';
import { assertNodeName, isValidLeaseName, type LeaseName } from '../lease-store.ts';
import { CONFIG_FILE_NAMES, type ConfigFileName } from '../store-ports.ts';
import type { GatewayFailure } from './etcd-gateway.ts';
import { assertAsciiKey, prefixEnd } from './etcd-wire.ts';

/**
 * Where everything lives in etcd, under one prefix per cluster (default `/ha-manager/`), mirroring
 * the shared directory's layout (docs/shared-dir.md):
 *
 * | key | what |
 * |---|---|
 * | `leases/<name>` | a lease: `manager`, `agent.<node>` (etcd-lease-store.ts) |
 * | `status/manager/head`, `status/manager/shard/<n>` | the manager status, sharded (etcd-status-store.ts) |
 * | `status/lrm/<node>` | that node's LRM status, the same JSON as the file |
 * | `status/fenced/<node>` | why that node was last reset |
 * | `commands/<seq>.<host>.<pid>` | queued CRM commands, one per key |
 * | `config/<file>` | resources.cfg, groups.cfg, rules.cfg, fence.cfg, ha.cfg: the same text as the files |
 * | `cluster` | written once by `ha-manager init`: the cluster is set up under this prefix |
 */
export class EtcdKeys {
  constructor(readonly prefix: string = DEFAULT_ETCD_PREFIX) {
    assertAsciiKey(prefix);
    assert(prefix.startsWith('/') && prefix.endsWith('/'), `etcd key prefix must start and end with '/', got '${prefix}'`);
  }

  lease(name: LeaseName): string {
    assert(isValidLeaseName(name), `Bad lease name '${name}'`);
    return `${this.prefix}leases/${name}`;
  }

  get managerHead(): string {
    return `${this.prefix}status/manager/head`;
  }

  get managerShards(): string {
    return `${this.prefix}status/manager/shard/`;
  }

  lrmStatus(node: string): string {
    assertNodeName(node);
    return `${this.prefix}status/lrm/${node}`;
  }

  get lrmStatuses(): string {
    return `${this.prefix}status/lrm/`;
  }

  fenced(node: string): string {
    assertNodeName(node);
    return `${this.prefix}status/fenced/${node}`;
  }

  get commands(): string {
    return `${this.prefix}commands/`;
  }

  get configFiles(): string {
    return `${this.prefix}config/`;
  }

  /** The marker `ha-manager init` writes: daemons wait for it and never write it themselves. */
  get cluster(): string {
    return `${this.prefix}cluster`;
  }

  config(file: ConfigFileName): string {
    assert((CONFIG_FILE_NAMES as readonly string[]).includes(file), `Bad config file name '${file}'`);
    return `${this.prefix}config/${file}`;
  }
}

export const DEFAULT_ETCD_PREFIX = '/ha-manager/';


/** `{ key, rangeEnd }` of every key under `prefix`. */
export function underPrefix(prefix: string): { readonly key: string; readonly rangeEnd: string } {
  return { key: prefix, rangeEnd: prefixEnd(prefix) };
}

export function isFailure(value: unknown): value is GatewayFailure {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'unavailable';
}
