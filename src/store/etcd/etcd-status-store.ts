import { AssertionError, assert } from '../../common/assert.ts';
import type { LrmStatus } from '../../common/lrm-status.ts';
import { lrmStatusToJson, parseLrmStatusJson } from '../../common/lrm-status-json.ts';
import type { ManagerStatus } from '../../common/manager-status.ts';
import { managerStatusToJson, parseManagerStatusJson } from '../../common/manager-status-json.ts';
import { isValidNodeName } from '../../common/node-name.ts';
import { fencedRecordToJson, parseFencedRecordJson, type FencedRecord } from '../fenced-record.ts';
import { assertReadsBack, type StatusRead, type StatusStore, type StatusUnavailable, type StatusWrite } from '../status-store.ts';
import type { GatewayFailure } from './etcd-gateway.ts';
import { isFailure, underPrefix, type EtcdKeys } from './etcd-keys.ts';
import type { EtcdKvClient } from './etcd-sync-client.ts';
import type { Compare, Operation } from './etcd-wire.ts';
import { joinManagerStatus, shardManagerStatus, SHARD_BYTES_TARGET, type ShardedStatus } from './manager-status-shards.ts';

/** One txn carries at most this many operations (etcd's --max-txn-ops is 128). */
const TXN_OPS_MAX = 64;
/** One txn carries at most this many bytes of values (etcd's --max-request-bytes is 1.5 MiB). */
const TXN_BYTES_MAX = 1024 * 1024;
/** Shards read per range page: a few MiB per answer. */
const SHARDS_PER_PAGE = Math.max(1, Math.floor((4 * 1024 * 1024) / SHARD_BYTES_TARGET));
/** Pages of one read; 4096 shards at most (manager-status-shards.ts), so this many pages at most. */
const PAGES_MAX = 4096;

/** What the last manager status write did: for the benchmark and the size test. */
export interface ManagerWriteStats {
  readonly shards: number;
  readonly shardsWritten: number;
  readonly bytesWritten: number;
  readonly largestValueBytes: number;
}

/**
 * The status port on etcd (status-store.ts): LRM statuses and fenced records are keys holding the same
 * JSON text as the files; the manager status is sharded (manager-status-shards.ts). One writer per key
 * as for the files, so no compare-and-set: a write replaces the value, a reader sees old or new.
 * Failures are values; 'file' in them names the key.
 */
export class EtcdStatusStore implements StatusStore {
  lastManagerWrite: ManagerWriteStats | undefined;

  constructor(
    private readonly client: EtcdKvClient,
    private readonly keys: EtcdKeys,
  ) {}

  readManagerStatus(): StatusRead<ManagerStatus> {
    const file = this.keys.managerHead;
    const head = this.client.range({ key: file });
    if (isFailure(head)) return unavailable(file, head);
    const kv = head.kvs[0];
    if (!kv) return { kind: 'missing', file };
    const shards = this.readShards(head.revision);
    if (isFailure(shards)) return unavailable(file, shards);
    return parseValue(file, () => parseManagerStatusJson(joinManagerStatus(kv.value, shards), file));
  }

  /** Changed shards first, then the head that names them, then shards no head names any more. */
  writeManagerStatus(status: ManagerStatus): StatusWrite {
    const file = this.keys.managerHead;
    const json = managerStatusToJson(status);
    assertReadsBack(file, JSON.stringify(json), parseManagerStatusJson);
    const sharded = shardManagerStatus(json, this.keys.managerShards);
    const present = this.client.range({ ...underPrefix(this.keys.managerShards), keysOnly: true });
    if (isFailure(present)) return unavailable(file, present);
    const existing = new Set(present.kvs.map((kv) => kv.key));
    const missing = sharded.shards.filter((shard) => !existing.has(shard.key));
    const written = this.runBatches(missing.map((shard) => ({ put: shard })));
    if (written) return unavailable(file, written);
    const head = this.writeHead(file, sharded);
    if (head) return unavailable(file, head);
    const named = new Set(sharded.shards.map((shard) => shard.key));
    // Best effort, and only while the head is still ours: a second writer (a master that has just lost
    // its lease) may have written shards for a head of its own, which must not go. Garbage left here is
    // removed by the next write; no head names it.
    const unnamed = [...existing].filter((key) => !named.has(key)).map((key): Operation => ({ delete: { key } }));
    this.runBatches(unnamed, [{ key: file, value: sharded.head }]);
    this.lastManagerWrite = {
      shards: sharded.shards.length,
      shardsWritten: missing.length,
      bytesWritten: missing.reduce((sum, shard) => sum + shard.value.length, 0) + sharded.head.length,
      largestValueBytes: Math.max(sharded.head.length, ...sharded.shards.map((shard) => shard.value.length)),
    };
    return { kind: 'written' };
  }

  readLrmStatus(node: string): StatusRead<LrmStatus> {
    return this.readJson(this.keys.lrmStatus(node), parseLrmStatusJson);
  }

  writeLrmStatus(node: string, status: LrmStatus): StatusWrite {
    return this.writeJson(this.keys.lrmStatus(node), lrmStatusToJson(status), parseLrmStatusJson);
  }

  listLrmStatusNodes(): readonly string[] | StatusUnavailable {
    const prefix = this.keys.lrmStatuses;
    const answer = this.client.range({ ...underPrefix(prefix), keysOnly: true });
    if (isFailure(answer)) return unavailable(prefix, answer);
    return answer.kvs.map((kv) => kv.key.slice(prefix.length)).filter(isValidNodeName).sort();
  }

  readFencedRecord(node: string): StatusRead<FencedRecord> {
    const file = this.keys.fenced(node);
    const read = this.readJson(file, parseFencedRecordJson);
    if (read.kind === 'ok' && read.value.node !== node) return { kind: 'corrupt', file, message: `${file}: Record names node '${read.value.node}', not '${node}'` };
    return read;
  }

  writeFencedRecord(record: FencedRecord): StatusWrite {
    return this.writeJson(this.keys.fenced(record.node), fencedRecordToJson(record), parseFencedRecordJson);
  }

  /** Every shard value at `revision` (the head's read), page by page. */
  private readShards(revision: number): Map<string, string> | GatewayFailure {
    const values = new Map<string, string>();
    const { key: start, rangeEnd } = underPrefix(this.keys.managerShards);
    let key = start;
    for (let page = 0; page < PAGES_MAX; page++) {
      const answer = this.client.range({ key, rangeEnd, revision, limit: SHARDS_PER_PAGE });
      if (isFailure(answer)) return answer;
      for (const kv of answer.kvs) values.set(kv.key, kv.value);
      if (!answer.more || answer.kvs.length === 0) return values;
      key = `${answer.kvs.at(-1)!.key}\0`;
    }
    assert(false, `Reading the manager status took more than ${PAGES_MAX} pages`);
  }

  /**
   * The head, put only while every shard it names exists: another writer's cleanup may have removed
   * one since we listed them, and a head naming a missing shard would make the status unreadable.
   */
  private writeHead(file: string, sharded: ShardedStatus): GatewayFailure | undefined {
    const compare = sharded.shards.length < TXN_OPS_MAX ? sharded.shards.map((shard): Compare => ({ key: shard.key, exists: true })) : [];
    const answer = this.client.txn({ compare, success: [{ put: { key: file, value: sharded.head } }] });
    if (isFailure(answer)) return answer;
    return answer.succeeded ? undefined : { kind: 'unavailable', message: `${file}: a shard the new head names was removed meanwhile (a second writer); not written` };
  }

  /** Operations in txns within etcd's limits, each under `compare`; the first failure, or undefined. */
  private runBatches(operations: readonly Operation[], compare: readonly Compare[] = []): GatewayFailure | undefined {
    let batch: Operation[] = [];
    let batchBytes = 0;
    const flush = (): GatewayFailure | undefined => {
      if (batch.length === 0) return undefined;
      const answer = this.client.txn({ compare, success: batch });
      batch = [];
      batchBytes = 0;
      return isFailure(answer) ? answer : undefined;
    };
    for (const operation of operations) {
      const bytes = 'put' in operation ? operation.put.value.length : 0;
      if (batch.length >= TXN_OPS_MAX || (batch.length > 0 && batchBytes + bytes > TXN_BYTES_MAX)) {
        const failed = flush();
        if (failed) return failed;
      }
      batch.push(operation);
      batchBytes += bytes;
    }
    return flush();
  }

  private readJson<T>(file: string, parse: (json: unknown, file: string) => T): StatusRead<T> {
    const answer = this.client.range({ key: file });
    if (isFailure(answer)) return unavailable(file, answer);
    const kv = answer.kvs[0];
    if (!kv) return { kind: 'missing', file };
    return parseValue(file, () => parse(JSON.parse(kv.value), file));
  }

  private writeJson<T>(file: string, json: Record<string, unknown>, parse: (json: unknown, file: string) => T): StatusWrite {
    assertReadsBack(file, JSON.stringify(json), parse);
    const answer = this.client.txn({ compare: [], success: [{ put: { key: file, value: `${JSON.stringify(json, null, 1)}\n` } }] });
    return isFailure(answer) ? unavailable(file, answer) : { kind: 'written' };
  }
}

function parseValue<T>(file: string, parse: () => T): StatusRead<T> {
  try {
    return { kind: 'ok', value: parse() };
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'corrupt', file, message: message.startsWith(`${file}: `) ? message : `${file}: ${message}` };
  }
}

function unavailable(file: string, failure: GatewayFailure): StatusUnavailable {
  return { kind: 'unavailable', file, message: failure.message };
}
