import { assert } from '../../common/assert.ts';

/**
 * The shapes of etcd's v3 JSON gateway (etcd 3.4: `/v3/kv/range`, `/v3/kv/txn`, `/v3/kv/deleterange`,
 * `/v3/watch`, `/v3/auth/authenticate`) and their encoding: keys and values are base64, int64 fields
 * are decimal strings, and fields at their default are omitted (a failed txn has no `succeeded`, an
 * empty range no `kvs`, a revision 0 no field). Decoding turns all of that into plain values once, here.
 */

/** A key-value as etcd returns it, decoded. `modRevision` 0 never occurs for a present key. */
export interface EtcdKv {
  readonly key: string;
  readonly value: string;
  readonly modRevision: number;
  readonly createRevision: number;
  readonly version: number;
}

export interface RangeRequest {
  readonly key: string;
  /** Exclusive end; `prefixEnd(key)` ranges over a prefix. Absent: the one key. */
  readonly rangeEnd?: string;
  readonly limit?: number;
  /** Read at this revision (a consistent snapshot of several requests); absent: the latest. */
  readonly revision?: number;
  readonly keysOnly?: boolean;
  readonly countOnly?: boolean;
  /** Answered by the member alone, possibly stale: for observers, never for a holder. */
  readonly serializable?: boolean;
}

export interface RangeResult {
  /** The store's revision when the read was made. */
  readonly revision: number;
  readonly kvs: readonly EtcdKv[];
  readonly more: boolean;
  readonly count: number;
}

/** The key's mod revision is this (0: absent); its value is this; it exists. */
export type Compare = { readonly key: string; readonly modRevision: number } | { readonly key: string; readonly value: string } | { readonly key: string; readonly exists: true };

export type Operation =
  | { readonly put: { readonly key: string; readonly value: string } }
  | { readonly range: RangeRequest }
  | { readonly delete: { readonly key: string; readonly rangeEnd?: string; readonly prevKv?: boolean } };

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly Operation[];
  readonly failure?: readonly Operation[];
}

/** One response per operation of the branch that ran, in order. */
export type OperationResult = { readonly kind: 'put' } | { readonly kind: 'range'; readonly range: RangeResult } | { readonly kind: 'delete'; readonly deleted: number; readonly prevKvs: readonly EtcdKv[] };

export interface TxnResult {
  readonly succeeded: boolean;
  /** The store's revision after the txn; a put in it has this mod revision. */
  readonly revision: number;
  readonly responses: readonly OperationResult[];
}

export interface DeleteResult {
  readonly revision: number;
  readonly deleted: number;
  readonly prevKvs: readonly EtcdKv[];
}

export function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function decode(base64: unknown): string {
  return typeof base64 === 'string' ? Buffer.from(base64, 'base64').toString('utf8') : '';
}

/** etcd's int64 as a decimal string; an omitted one is 0. */
export function int64(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const number = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isSafeInteger(number)) throw new Error(`etcd answered a bad int64: ${JSON.stringify(value)}`);
  return number;
}

/**
 * The end of the range of every key that starts with `prefix`: its last character plus one. Our keys
 * are ASCII (a prefix of printable characters, node names, lease names), so characters are bytes.
 */
export function prefixEnd(prefix: string): string {
  assertAsciiKey(prefix);
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export function assertAsciiKey(key: string): void {
  assert(key.length > 0 && /^[\x21-\x7e]+$/.test(key), `etcd keys here are printable ASCII, got ${JSON.stringify(key)}`);
}

function encodeRangeEnd(rangeEnd: string): string {
  return encode(rangeEnd);
}

export function rangeBody(request: RangeRequest): Record<string, unknown> {
  return {
    key: encode(request.key),
    ...(request.rangeEnd !== undefined ? { range_end: encodeRangeEnd(request.rangeEnd) } : {}),
    ...(request.limit !== undefined ? { limit: String(request.limit) } : {}),
    ...(request.revision !== undefined ? { revision: String(request.revision) } : {}),
    ...(request.keysOnly ? { keys_only: true } : {}),
    ...(request.countOnly ? { count_only: true } : {}),
    ...(request.serializable ? { serializable: true } : {}),
  };
}

export function txnBody(request: TxnRequest): Record<string, unknown> {
  return {
    compare: request.compare.map(compareBody),
    success: request.success.map(operationBody),
    failure: (request.failure ?? []).map(operationBody),
  };
}

export function deleteBody(request: { readonly key: string; readonly rangeEnd?: string; readonly prevKv?: boolean }): Record<string, unknown> {
  return {
    key: encode(request.key),
    ...(request.rangeEnd !== undefined ? { range_end: encodeRangeEnd(request.rangeEnd) } : {}),
    ...(request.prevKv ? { prev_kv: true } : {}),
  };
}

function compareBody(compare: Compare): Record<string, unknown> {
  if ('modRevision' in compare) return { key: encode(compare.key), target: 'MOD', result: 'EQUAL', mod_revision: String(compare.modRevision) };
  if ('value' in compare) return { key: encode(compare.key), target: 'VALUE', result: 'EQUAL', value: encode(compare.value) };
  return { key: encode(compare.key), target: 'CREATE', result: 'GREATER', create_revision: '0' };
}

function operationBody(operation: Operation): Record<string, unknown> {
  if ('put' in operation) return { request_put: { key: encode(operation.put.key), value: encode(operation.put.value) } };
  if ('range' in operation) return { request_range: rangeBody(operation.range) };
  return { request_delete_range: deleteBody(operation.delete) };
}

type Json = Record<string, unknown>;

export function decodeKv(json: Json): EtcdKv {
  return {
    key: decode(json.key),
    value: decode(json.value),
    modRevision: int64(json.mod_revision),
    createRevision: int64(json.create_revision),
    version: int64(json.version),
  };
}

function kvsOf(value: unknown): EtcdKv[] {
  return Array.isArray(value) ? value.map((kv) => decodeKv(kv as Json)) : [];
}

export function revisionOf(json: Json): number {
  return int64((json.header as Json | undefined)?.revision);
}

export function decodeRange(json: Json): RangeResult {
  return { revision: revisionOf(json), kvs: kvsOf(json.kvs), more: json.more === true, count: int64(json.count) };
}

export function decodeDelete(json: Json): DeleteResult {
  return { revision: revisionOf(json), deleted: int64(json.deleted), prevKvs: kvsOf(json.prev_kvs) };
}

export function decodeTxn(json: Json): TxnResult {
  const responses = Array.isArray(json.responses) ? (json.responses as Json[]) : [];
  return {
    succeeded: json.succeeded === true,
    revision: revisionOf(json),
    responses: responses.map((response): OperationResult => {
      if (response.response_range !== undefined) return { kind: 'range', range: decodeRange(response.response_range as Json) };
      if (response.response_delete_range !== undefined) {
        const deleted = decodeDelete(response.response_delete_range as Json);
        return { kind: 'delete', deleted: deleted.deleted, prevKvs: deleted.prevKvs };
      }
      return { kind: 'put' };
    }),
  };
}
