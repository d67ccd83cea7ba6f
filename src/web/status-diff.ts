import type { StatusReport } from '../cli/status-report.ts';

/**
 * What the console pushes after its first snapshot (issue 13, "Scale"): the changes between two
 * status reports, keyed by id — node name, sid, lease name, queued request — so that a change of one
 * service out of 10,000 sends one service. The page applies a patch with applyStatusPatch
 * (static/status-patch.js), which must turn the older report into the newer one exactly: the unit
 * test checks both together.
 */
export interface StatusPatch {
  readonly wallMs: number;
  /** Changed single fields; null for configError means it is gone. */
  readonly top?: Partial<Record<TopField, unknown>>;
  readonly nodes?: KeyedPatch;
  readonly services?: KeyedPatch;
  readonly leases?: KeyedPatch;
  readonly queuedRequests?: KeyedPatch;
}

export interface KeyedPatch {
  /** Entries new or changed, whole, with their keys. */
  readonly upsert: ReadonlyArray<readonly [string, unknown]>;
  readonly remove: readonly string[];
  /** Every key in the new order; only when keys were added or removed (or reordered). */
  readonly order?: readonly string[];
}

const TOP_FIELDS = ['master', 'quorum', 'disarm', 'configError', 'fenceTimeoutMs'] as const;
type TopField = (typeof TOP_FIELDS)[number];
export const LIST_FIELDS = ['nodes', 'services', 'leases', 'queuedRequests'] as const;
type ListField = (typeof LIST_FIELDS)[number];

/** The keys of a list's entries; the page has the same function (status-patch.js keyOf). */
export function keysOf(field: ListField, report: StatusReport): string[] {
  switch (field) {
    case 'nodes':
      return report.nodes.map((node) => node.node);
    case 'services':
      return report.services.map((service) => service.sid);
    case 'leases':
      return report.leases.map((lease) => lease.name);
    case 'queuedRequests': {
      // Two equal requests queued in one millisecond are two entries: the second key gets `#1`.
      const seen = new Map<string, number>();
      return report.queuedRequests.map((queued) => {
        const key = `${queued.queuedWallMs} ${queued.request}`;
        const count = seen.get(key) ?? 0;
        seen.set(key, count + 1);
        return count === 0 ? key : `${key}#${count}`;
      });
    }
  }
}

/** One report as the differ keeps it: each entry's JSON by key, so the next diff compares strings. */
export interface DiffBase {
  readonly report: StatusReport;
  readonly lists: Readonly<Record<ListField, ReadonlyMap<string, string>>>;
  readonly tops: Readonly<Record<TopField, string>>;
}

export function diffBaseOf(report: StatusReport): DiffBase {
  const lists = {} as Record<ListField, Map<string, string>>;
  for (const field of LIST_FIELDS) {
    const keys = keysOf(field, report);
    const entries = report[field] as readonly unknown[];
    lists[field] = new Map(keys.map((key, index) => [key, JSON.stringify(entries[index])]));
  }
  const tops = {} as Record<TopField, string>;
  for (const field of TOP_FIELDS) tops[field] = JSON.stringify(report[field] ?? null);
  return { report, lists, tops };
}

/** The patch from `before` to `after`, or null when nothing but the time changed. */
export function diffStatus(before: DiffBase, after: DiffBase): StatusPatch | null {
  const patch: { -readonly [K in keyof StatusPatch]: StatusPatch[K] } = { wallMs: after.report.wallMs };
  let isChanged = false;
  const top: Partial<Record<TopField, unknown>> = {};
  for (const field of TOP_FIELDS) {
    if (before.tops[field] === after.tops[field]) continue;
    top[field] = after.report[field] ?? null;
    isChanged = true;
  }
  if (Object.keys(top).length > 0) patch.top = top;
  for (const field of LIST_FIELDS) {
    const listPatch = diffList(before.lists[field], after.lists[field], after.report[field] as readonly unknown[]);
    if (listPatch === null) continue;
    patch[field] = listPatch;
    isChanged = true;
  }
  return isChanged ? patch : null;
}

function diffList(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, entries: readonly unknown[]): KeyedPatch | null {
  const upsert: Array<readonly [string, unknown]> = [];
  const remove = [...before.keys()].filter((key) => !after.has(key));
  let index = 0;
  for (const [key, json] of after) {
    if (before.get(key) !== json) upsert.push([key, entries[index]]);
    index++;
  }
  const isSameOrder = remove.length === 0 && before.size === after.size && sameKeyOrder(before, after);
  if (upsert.length === 0 && isSameOrder) return null;
  return isSameOrder ? { upsert, remove } : { upsert, remove, order: [...after.keys()] };
}

function sameKeyOrder(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): boolean {
  const afterKeys = after.keys();
  for (const key of before.keys()) if (afterKeys.next().value !== key) return false;
  return true;
}
