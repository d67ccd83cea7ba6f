import { AssertionError } from '../common/assert.ts';
import type { LrmStatus } from '../common/lrm-status.ts';
import { parseLrmStatusJson } from '../common/lrm-status-json.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import { parseManagerStatusJson } from '../common/manager-status-json.ts';
import { parseFencedRecordJson, type FencedRecord } from '../store/fenced-record.ts';
import { assertNodeName } from '../store/lease-store.ts';
import type { StatusRead, StatusStore, StatusUnavailable, StatusWrite } from '../store/status-store.ts';
import type { SimStoreReach } from './sim-store-reach.ts';

/**
 * The status files as the simulated cluster keeps them (SimCluster): values as the writer handed them
 * over, past versions for stale reads, and text that another writer put where a status is kept (a file
 * the simulator did not write), which reads through the same parsers as the dir store's files.
 */
export interface SimStatusMemory {
  managerStatusAt(staleMs: number): ManagerStatus | undefined;
  saveManagerStatus(status: ManagerStatus): void;
  lrmStatusAt(node: string, staleMs: number): LrmStatus | undefined;
  saveLrmStatus(node: string, status: LrmStatus): void;
  readonly lrmStatus: ReadonlyMap<string, LrmStatus>;
  readonly fencedRecords: Map<string, FencedRecord>;
  /** By file name (`status/lrm/node1.json`); a write through a face replaces it. */
  readonly foreignStatusTexts: Map<string, string>;
}

export const SIM_MANAGER_STATUS_FILE = 'status/manager.json';
export const simLrmStatusFile = (node: string) => `status/lrm/${node}.json`;
export const simFencedFile = (node: string) => `status/fenced/${node}.json`;

const WRITTEN: StatusWrite = Object.freeze({ kind: 'written' });
const MISSING_MANAGER: StatusRead<ManagerStatus> = Object.freeze({ kind: 'missing', file: SIM_MANAGER_STATUS_FILE });

/**
 * The StatusStore port of one simulated node over the cluster's status memory: the same contract as
 * the dir and etcd stores (test/contract/status-store.contract.ts), with the simulator's faults as
 * 'unavailable' (storage cut, store down or too slow) and its stale reads (`stale <node> <s>`) for the
 * manager and LRM statuses, as a node with a lagging view of a shared filesystem reads them.
 *
 * Values are kept as written, not serialised: the simulator moves statuses of 10,000 services every
 * round, and its writers are this program's own code, whose output the dir and etcd stores check
 * reads back (`assertReadsBack`) on every write of the daemons.
 */
export class SimStatusFace implements StatusStore {
  constructor(
    private readonly memory: SimStatusMemory,
    private readonly reach: SimStoreReach,
  ) {}

  readManagerStatus(): StatusRead<ManagerStatus> {
    if (!this.reach.isReachable()) return this.unavailable(SIM_MANAGER_STATUS_FILE, 'read');
    const foreign = this.foreignRead(SIM_MANAGER_STATUS_FILE, parseManagerStatusJson);
    if (foreign !== undefined) return foreign;
    const value = this.memory.managerStatusAt(this.reach.staleMs());
    return value === undefined ? MISSING_MANAGER : { kind: 'ok', value };
  }

  writeManagerStatus(status: ManagerStatus): StatusWrite {
    if (!this.reach.isReachable()) return this.unavailable(SIM_MANAGER_STATUS_FILE, 'write');
    this.dropForeign(SIM_MANAGER_STATUS_FILE);
    this.memory.saveManagerStatus(status);
    return WRITTEN;
  }

  readLrmStatus(node: string): StatusRead<LrmStatus> {
    assertNodeName(node);
    const file = simLrmStatusFile(node);
    if (!this.reach.isReachable()) return this.unavailable(file, 'read');
    const foreign = this.foreignRead(file, parseLrmStatusJson);
    if (foreign !== undefined) return foreign;
    const value = this.memory.lrmStatusAt(node, this.reach.staleMs());
    return value === undefined ? { kind: 'missing', file } : { kind: 'ok', value };
  }

  writeLrmStatus(node: string, status: LrmStatus): StatusWrite {
    assertNodeName(node);
    const file = simLrmStatusFile(node);
    if (!this.reach.isReachable()) return this.unavailable(file, 'write');
    this.dropForeign(file);
    this.memory.saveLrmStatus(node, status);
    return WRITTEN;
  }

  listLrmStatusNodes(): readonly string[] | StatusUnavailable {
    if (!this.reach.isReachable()) return this.unavailable('status/lrm/', 'list');
    const nodes = new Set(this.memory.lrmStatus.keys());
    for (const file of this.memory.foreignStatusTexts.keys()) {
      const node = /^status\/lrm\/(.+)\.json$/.exec(file)?.[1];
      if (node !== undefined) nodes.add(node);
    }
    return [...nodes].sort();
  }

  readFencedRecord(node: string): StatusRead<FencedRecord> {
    assertNodeName(node);
    const file = simFencedFile(node);
    if (!this.reach.isReachable()) return this.unavailable(file, 'read');
    const read = this.foreignRead(file, parseFencedRecordJson) ?? this.fencedOf(node, file);
    if (read.kind === 'ok' && read.value.node !== node) return { kind: 'corrupt', file, message: `${file}: Record names node '${read.value.node}', not '${node}'` };
    return read;
  }

  writeFencedRecord(record: FencedRecord): StatusWrite {
    assertNodeName(record.node);
    const file = simFencedFile(record.node);
    if (!this.reach.isReachable()) return this.unavailable(file, 'write');
    this.dropForeign(file);
    this.memory.fencedRecords.set(record.node, record);
    return WRITTEN;
  }

  private fencedOf(node: string, file: string): StatusRead<FencedRecord> {
    const value = this.memory.fencedRecords.get(node);
    return value === undefined ? { kind: 'missing', file } : { kind: 'ok', value };
  }

  /** Text another writer left where the status is kept, parsed as the dir store parses a file; undefined when there is none. */
  private foreignRead<T>(file: string, parse: (json: unknown, file: string) => T): StatusRead<T> | undefined {
    const foreign = this.memory.foreignStatusTexts;
    if (foreign.size === 0) return undefined;
    const text = foreign.get(file);
    if (text === undefined) return undefined;
    try {
      return { kind: 'ok', value: parse(JSON.parse(text), file) };
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return { kind: 'corrupt', file, message: message.startsWith(`${file}: `) ? message : `${file}: ${message}` };
    }
  }

  private dropForeign(file: string): void {
    if (this.memory.foreignStatusTexts.size > 0) this.memory.foreignStatusTexts.delete(file);
  }

  private unavailable(file: string, action: string): StatusUnavailable {
    return { kind: 'unavailable', file, message: `Cannot ${action} ${file}: ${this.reach.whyUnreachable()}` };
  }
}
