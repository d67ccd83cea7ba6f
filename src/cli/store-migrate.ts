import { lrmStatusToJson } from '../common/lrm-status-json.ts';
import type { LrmStatus } from '../common/lrm-status.ts';
import { managerStatusToJson } from '../common/manager-status-json.ts';
import type { ManagerStatus } from '../common/manager-status.ts';
import { DEFAULT_TIMING } from '../common/timing.ts';
import { loadTiming } from '../config/load-config.ts';
import { ConfigError } from '../config/section-config.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { fencedRecordToJson, type FencedRecord } from '../store/fenced-record.ts';
import type { StatusRead, StatusWrite } from '../store/status-store.ts';
import { CONFIG_FILE_NAMES, type ConfigFileName } from '../store/store-ports.ts';
import { StoreUnanswered } from './cli-store.ts';
import { leasesOf } from './status-report.ts';
import { formatAge } from './text-table.ts';

/**
 * `ha-manager store migrate`: copies one cluster's store into another (dir → etcd, etcd → dir) —
 * the config files as their exact text, the status (manager status, LRM statuses, fenced records) and
 * the queued requests — then reads everything back from the target and compares. Leases are not copied:
 * a lease is a daemon's promise on one store, and a new store starts with none.
 *
 * Only while nothing can change the source under the copy and nothing runs on it:
 * - **disarmed**: the manager status records the disarm as `disarmed` (every online LRM has released
 *   its agent lease and watchdog, and the master fences and recovers nothing), or
 * - **stopped**: no lease is held and renewed within fence_timeout. Not "every lease released": a node
 *   that crashed never releases its lease, and by the lease contract a holder that has not renewed for
 *   fence_timeout has been reset by its watchdog, so it runs nothing. (A lease's heartbeat time is its
 *   holder's wall clock: a clock more than fence_timeout off would mislead, which is why the check
 *   names every lease it found.)
 * Anything else is refused, naming what runs.
 *
 * Queued requests keep their order, not their time: the target's queue stamps them as it takes them
 * (its own names), so `status` shows them as queued at the migration.
 */

/** What migrate found wrong (a running cluster, a target in use): exit 1, one line, nothing written. */
export class MigrateRefused extends Error {
  override name = 'MigrateRefused';
}

/** Everything that is copied, as read from the source. */
interface Snapshot {
  readonly config: ReadonlyMap<ConfigFileName, string>;
  readonly manager: ManagerStatus | undefined;
  readonly lrm: ReadonlyMap<string, LrmStatus>;
  readonly fenced: ReadonlyMap<string, FencedRecord>;
  readonly commands: readonly string[];
}

/** Copies `source` into `target`, verifies, and returns what it did, one line each. */
export function migrateStore(source: ClusterStore, target: ClusterStore): string[] {
  checkSourceReady(source);
  checkTargetUnused(target);
  const quiet = quietReason(source, Date.now());
  const snapshot = readSnapshot(source);
  const written = writeSnapshot(target, snapshot);
  const differences = compareSnapshot(snapshot, readSnapshot(target));
  if (differences.length > 0) throw new StoreUnanswered(`${target.where}: the copy does not read back equal: ${differences.join('; ')}; empty the target before migrating again`);
  return reportLines({ source, target, quiet, snapshot, written });
}

function checkSourceReady(source: ClusterStore): void {
  const probe = source.probe();
  if (probe === 'ready') return;
  if (probe === 'not-set-up') throw new MigrateRefused(`${source.where}: no cluster is set up there ('ha-manager init' never ran): nothing to migrate`);
  throw new StoreUnanswered(`${source.where}: the source does not answer: ${probe.message}`);
}

/** A target that is set up, or holds any config file, is in use (or a migration that failed half): refused. */
function checkTargetUnused(target: ClusterStore): void {
  const probe = target.probe();
  if (typeof probe !== 'string') throw new StoreUnanswered(`${target.where}: the target does not answer: ${probe.message}`);
  if (probe === 'ready') throw new MigrateRefused(`${target.where}: a cluster is set up there already: migrate only into a new store (another prefix, an empty directory)`);
  const present = CONFIG_FILE_NAMES.filter((file) => target.config.read(file).kind !== 'missing');
  if (present.length > 0) throw new MigrateRefused(`${target.where}: holds ${present.map((file) => target.configName(file)).join(', ')} already: migrate only into an empty store`);
}

/** Why the source may be copied now (disarmed or stopped); MigrateRefused naming what runs otherwise. */
export function quietReason(source: ClusterStore, wallMs: number): string {
  const manager = statusValue(source, source.status.readManagerStatus());
  const disarm = manager?.disarm;
  if (disarm?.state === 'disarmed') return `the HA stack is disarmed (mode ${disarm.mode})`;
  const fenceTimeoutMs = fenceTimeoutOf(source);
  const running: string[] = [];
  for (const lease of leasesOf(source).values()) {
    if (lease.isReleased || lease.holder === undefined) continue;
    const ageMs = lease.heartbeat === undefined ? null : Math.max(0, wallMs - lease.heartbeat.wallMs);
    if (ageMs === null || ageMs <= fenceTimeoutMs) running.push(`${lease.name} held by ${lease.holder.node} (renewed ${ageMs === null ? 'at an unknown time' : `${formatAge(ageMs)} ago`})`);
  }
  if (running.length === 0) return `the cluster is stopped (no lease renewed within fence_timeout, ${fenceTimeoutMs / 1000} s)`;
  const disarming = disarm !== undefined ? `; the disarm (${disarm.mode}) is still ${disarm.state}: wait until status shows it disarmed` : '';
  throw new MigrateRefused(
    `${source.where}: the cluster is running: ${running.join(', ')}${disarming}. Disarm it first ('ha-manager crm-command disarm-ha freeze', then wait for 'disarmed' in status) or stop ha-crm and ha-lrm on every node`,
  );
}

function fenceTimeoutOf(store: ClusterStore): number {
  try {
    return loadTiming(store).leaseTimeoutMs;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return DEFAULT_TIMING.leaseTimeoutMs; // a broken ha.cfg is copied as it is; the default decides here
  }
}

function readSnapshot(store: ClusterStore): Snapshot {
  const config = new Map<ConfigFileName, string>();
  for (const file of CONFIG_FILE_NAMES) {
    const read = store.config.read(file);
    if (read.kind === 'unavailable') throw new StoreUnanswered(`${store.configName(file)}: Cannot read: ${read.message}`);
    if (read.kind === 'ok') config.set(file, read.text);
  }
  const manager = statusValue(store, store.status.readManagerStatus());
  const nodes = store.status.listLrmStatusNodes();
  if ('kind' in nodes) throw new StoreUnanswered(`${store.where}: Cannot list the LRM statuses: ${nodes.message}`);
  const lrm = new Map<string, LrmStatus>();
  for (const node of nodes) {
    const status = statusValue(store, store.status.readLrmStatus(node));
    if (status !== undefined) lrm.set(node, status);
  }
  const fenced = new Map<string, FencedRecord>();
  for (const node of nodesOf(store, manager, lrm)) {
    const record = statusValue(store, store.status.readFencedRecord(node));
    if (record !== undefined) fenced.set(node, record);
  }
  const queued = store.commands.read();
  if ('kind' in queued) throw new StoreUnanswered(`${store.where}: Cannot read the queued requests: ${queued.message}`);
  return { config, manager, lrm, fenced, commands: queued.map((command) => command.line) };
}

/**
 * The nodes whose fenced record is looked for (the status port reads them by node): those in the
 * manager status, with an LRM status, with an agent lease, or declared in ha.cfg.
 */
function nodesOf(store: ClusterStore, manager: ManagerStatus | undefined, lrm: ReadonlyMap<string, LrmStatus>): string[] {
  const nodes = new Set<string>([...Object.keys(manager?.nodeStatus ?? {}), ...lrm.keys()]);
  for (const name of leasesOf(store).keys()) if (name.startsWith('agent.')) nodes.add(name.slice('agent.'.length));
  const settings = store.config.read('ha.cfg');
  if (settings.kind === 'ok') for (const match of settings.text.matchAll(/^node:\s*(\S+)/gm)) nodes.add(match[1]!);
  return [...nodes].filter((node) => /^[a-zA-Z0-9][a-zA-Z0-9.-]*$/.test(node)).sort();
}

function statusValue<T>(store: ClusterStore, read: StatusRead<T>): T | undefined {
  if (read.kind === 'ok') return read.value;
  if (read.kind === 'missing') return undefined;
  if (read.kind === 'corrupt') throw new MigrateRefused(`${read.message.includes(read.file) ? read.message : `${read.file}: ${read.message}`}: a corrupt status is not copied; fix or remove it first`);
  throw new StoreUnanswered(`${store.where}: Cannot read ${read.file}: ${read.message}`);
}

interface Written {
  readonly items: number;
  readonly configBytes: number;
  readonly statusBytes: number;
}

/** Config files first (all or none), then the layout daemons wait for, then status and requests. */
function writeSnapshot(target: ClusterStore, snapshot: Snapshot): Written {
  const changes = [...snapshot.config].map(([file, text]) => ({ file, text, expectedVersion: undefined }));
  const config = changes.length === 0 ? ({ kind: 'written' } as const) : target.config.writeAll(changes);
  if (config.kind === 'conflict') throw new MigrateRefused(`${target.where}: a config file appeared in the target while migrating: nothing else written`);
  if (config.kind === 'unavailable') throw new StoreUnanswered(`${target.where}: config not written: ${config.message}`);
  const setUp = target.setUp();
  const incomplete = `: the target is incomplete: empty it before migrating again`;
  if (setUp !== 'ready') throw new StoreUnanswered(`${target.where}: not set up: ${setUp.message}${incomplete}`);
  let statusBytes = 0;
  const check = (write: StatusWrite, json: Record<string, unknown>) => {
    if (write.kind === 'unavailable') throw new StoreUnanswered(`${target.where}: ${write.file} not written: ${write.message}${incomplete}`);
    statusBytes += JSON.stringify(json).length;
  };
  if (snapshot.manager !== undefined) check(target.status.writeManagerStatus(snapshot.manager), managerStatusToJson(snapshot.manager));
  for (const [node, status] of snapshot.lrm) check(target.status.writeLrmStatus(node, status), lrmStatusToJson(status));
  for (const record of snapshot.fenced.values()) check(target.status.writeFencedRecord(record), fencedRecordToJson(record));
  for (const line of snapshot.commands) {
    const queued = target.commands.enqueue(line);
    if (queued.kind === 'unavailable') throw new StoreUnanswered(`${target.where}: request '${line}' not queued: ${queued.message}${incomplete}`);
  }
  const configBytes = [...snapshot.config.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  const items = snapshot.config.size + 1 + (snapshot.manager ? 1 : 0) + snapshot.lrm.size + snapshot.fenced.size + snapshot.commands.length;
  return { items, configBytes, statusBytes };
}

/** What differs between what was read from the source and what the target holds now; empty when all is equal. */
function compareSnapshot(expected: Snapshot, actual: Snapshot): string[] {
  const differences: string[] = [];
  for (const file of CONFIG_FILE_NAMES) if (expected.config.get(file) !== actual.config.get(file)) differences.push(`${file} differs`);
  const managerJson = (status: ManagerStatus | undefined) => (status === undefined ? 'none' : JSON.stringify(managerStatusToJson(status)));
  if (managerJson(expected.manager) !== managerJson(actual.manager)) differences.push('the manager status differs');
  const lrmJson = (map: ReadonlyMap<string, LrmStatus>) => JSON.stringify([...map].map(([node, status]) => [node, lrmStatusToJson(status)]));
  if (lrmJson(expected.lrm) !== lrmJson(actual.lrm)) differences.push('the LRM statuses differ');
  const fencedJson = (map: ReadonlyMap<string, FencedRecord>) => JSON.stringify([...map].map(([node, record]) => [node, fencedRecordToJson(record)]));
  if (fencedJson(expected.fenced) !== fencedJson(actual.fenced)) differences.push('the fenced records differ');
  if (JSON.stringify(expected.commands) !== JSON.stringify(actual.commands)) differences.push('the queued requests differ');
  return differences;
}

function reportLines(context: { source: ClusterStore; target: ClusterStore; quiet: string; snapshot: Snapshot; written: Written }): string[] {
  const { source, target, quiet, snapshot, written } = context;
  const files = [...snapshot.config.keys()];
  const lrmNodes = [...snapshot.lrm.keys()];
  return [
    `source ${source.where}: ${quiet}`,
    `copied ${files.length} config file(s), ${written.configBytes} bytes: ${files.length > 0 ? files.join(', ') : 'none'}`,
    `copied the status, ${written.statusBytes} bytes: ${snapshot.manager ? 'the manager status' : 'no manager status'}, ${lrmNodes.length} LRM status(es)${lrmNodes.length > 0 ? ` (${lrmNodes.join(', ')})` : ''}, ${snapshot.fenced.size} fenced record(s); ${snapshot.commands.length} queued request(s)`,
    `wrote ${written.items} ${target.kind === 'etcd' ? 'keys' : 'files'} to ${target.where} (with the set-up marker); leases not copied: the new store starts with none`,
    `verified: read everything back from ${target.where}: equal to the source`,
  ];
}
