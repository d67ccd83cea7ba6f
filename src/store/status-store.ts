import type { LrmStatus } from '../common/lrm-status.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import type { FencedRecord } from './fenced-record.ts';
import { assert } from '../common/assert.ts';

/**
 * The status port: status/manager.json (the master only writes it), status/lrm/<node>.json (that
 * node's LRM only), status/fenced/<node>.json (that node, after a reset). Each file has one writer, so
 * there is no lock: a write replaces the whole file atomically and a reader sees the old or the new one.
 *
 * Failures are values: a file that is not there reads as 'missing', one that does not parse as
 * 'corrupt' naming the file and the problem, an unreadable store (missing directory, EACCES, EIO,
 * ENOSPC on write) as 'unavailable'. A status that this program itself cannot serialise and read back
 * is a bug (AssertionError), checked before the write.
 */
export interface StatusStore {
  readManagerStatus(): StatusRead<ManagerStatus>;
  writeManagerStatus(status: ManagerStatus): StatusWrite;
  readLrmStatus(node: string): StatusRead<LrmStatus>;
  writeLrmStatus(node: string, status: LrmStatus): StatusWrite;
  /** Nodes that have published an LRM status, sorted. */
  listLrmStatusNodes(): readonly string[] | StatusUnavailable;
  readFencedRecord(node: string): StatusRead<FencedRecord>;
  writeFencedRecord(record: FencedRecord): StatusWrite;
}

export interface StatusUnavailable {
  readonly kind: 'unavailable';
  readonly file: string;
  readonly message: string;
}

export type StatusRead<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'missing'; readonly file: string }
  | { readonly kind: 'corrupt'; readonly file: string; readonly message: string }
  | StatusUnavailable;

export type StatusWrite = { readonly kind: 'written' } | StatusUnavailable;

/** A status this program cannot serialise and read back is a bug: every store checks before it writes. */
export function assertReadsBack<T>(file: string, text: string, parse: (json: unknown, file: string) => T): void {
  let readsBack = true;
  try {
    parse(JSON.parse(text), file);
  } catch {
    readsBack = false;
  }
  assert(readsBack, `Refusing to write ${file}: the status does not read back: ${text.slice(0, 200)}`);
}
