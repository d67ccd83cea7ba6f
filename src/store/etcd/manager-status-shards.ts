import { createHash } from 'node:crypto';
import { assert } from '../../common/assert.ts';

/**
 * How the manager status is cut into etcd values (DESIGN.md "The etcd store": etcd refuses a request
 * over 1.5 MiB, and a manager status of 100,000 services is ~8 MB). `service_status` is spread over
 * `shardCount` buckets by a hash of the sid; everything else, with the list of shard keys, is the head.
 *
 * A shard's key ends with a digest of its value, so a shard that did not change keeps its key and is
 * not written again: a master round that changes a few services writes a few shards and the head. The
 * head is written last and names exactly the shards of its status, so a reader that reads the head and
 * then the shards at the head's revision sees one consistent status, old or new, never a mix.
 */
export interface ShardedStatus {
  /** The head's value: the status without `service_status`, and `shards`, the shard keys in order. */
  readonly head: string;
  readonly shards: ReadonlyArray<{ readonly key: string; readonly value: string }>;
}

/** A shard's target size: four fit in one etcd request with room to spare, and one changed service rewrites at most this. */
export const SHARD_BYTES_TARGET = 256 * 1024;
/** 2^12 shards of 256 KiB is 1 GiB of status: far beyond 100,000 services (~8 MB). */
const SHARD_COUNT_MAX = 4096;

export function shardManagerStatus(json: Record<string, unknown>, shardPrefix: string): ShardedStatus {
  const services = (json.service_status ?? {}) as Record<string, unknown>;
  const entries = Object.entries(services).map(([sid, entry]) => [sid, JSON.stringify(entry)] as const);
  const totalBytes = entries.reduce((sum, [sid, text]) => sum + sid.length + text.length + 4, 0);
  const shardCount = shardCountFor(totalBytes);
  const buckets: string[][] = Array.from({ length: shardCount }, () => []);
  for (const [sid, text] of entries) buckets[bucketOf(sid, shardCount)]!.push(`${JSON.stringify(sid)}:${text}`);
  const shards = buckets.map((bucket, index) => {
    const value = `{${bucket.join(',')}}`;
    return { key: `${shardPrefix}${shardCount}.${index}.${digest(value)}`, value };
  });
  const { service_status: _services, ...rest } = json;
  return { head: JSON.stringify({ ...rest, shards: shards.map((shard) => shard.key) }), shards };
}

/** The status JSON again from a head and the values of the shards it names; an Error naming the problem when one is missing. */
export function joinManagerStatus(head: string, shardValues: ReadonlyMap<string, string>): Record<string, unknown> {
  const parsed = JSON.parse(head) as Record<string, unknown>;
  const { shards, ...rest } = parsed;
  if (!Array.isArray(shards) || !shards.every((key) => typeof key === 'string')) throw new Error('Head has no list of shards');
  const services: Record<string, unknown> = {};
  for (const key of shards as string[]) {
    const value = shardValues.get(key);
    if (value === undefined) throw new Error(`Shard ${key} named by the head is missing`);
    Object.assign(services, JSON.parse(value) as Record<string, unknown>);
  }
  return { ...rest, service_status: services };
}

/** A power of two, so the count changes seldom as the status grows and shrinks. */
function shardCountFor(totalBytes: number): number {
  let count = 1;
  while (count * SHARD_BYTES_TARGET < totalBytes) count *= 2;
  assert(count <= SHARD_COUNT_MAX, `Manager status of ${totalBytes} bytes needs ${count} shards, limit ${SHARD_COUNT_MAX}`);
  return count;
}

/** FNV-1a of the sid: stable across processes and versions, unlike any runtime hash. */
function bucketOf(sid: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < sid.length; index++) {
    hash ^= sid.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shardCount;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 20);
}
