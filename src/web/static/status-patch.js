// Applies a patch of the console's server (src/web/status-diff.ts) to the page's copy of the status
// report: the inverse of diffStatus, tested together with it (test/web/status-diff.test.ts).

/** The key of one entry of a list, as keysOf in status-diff.ts (queued requests get `#n` there for twins). */
function keyOf(field, entry) {
  switch (field) {
    case 'nodes':
      return entry.node;
    case 'services':
      return entry.sid;
    case 'leases':
      return entry.name;
    case 'queuedRequests':
      return `${entry.queuedWallMs} ${entry.request}`;
    default:
      throw new Error(`Unknown list ${field}`);
  }
}

function keyedEntries(field, list) {
  const seen = new Map();
  const keyed = new Map();
  for (const entry of list) {
    const key = keyOf(field, entry);
    const count = seen.get(key) ?? 0;
    seen.set(key, count + 1);
    keyed.set(count === 0 ? key : `${key}#${count}`, entry);
  }
  return keyed;
}

export const LIST_FIELDS = ['nodes', 'services', 'leases', 'queuedRequests'];

/** A new report: `report` with `patch` applied (report itself is not changed). */
export function applyStatusPatch(report, patch) {
  const next = { ...report, wallMs: patch.wallMs };
  for (const [field, value] of Object.entries(patch.top ?? {})) {
    if (value === null && field === 'configError') delete next.configError;
    else next[field] = value;
  }
  for (const field of LIST_FIELDS) {
    const listPatch = patch[field];
    if (listPatch !== undefined) next[field] = applyList(field, report[field], listPatch);
  }
  return next;
}

function applyList(field, list, listPatch) {
  const keyed = keyedEntries(field, list);
  for (const key of listPatch.remove) keyed.delete(key);
  for (const [key, entry] of listPatch.upsert) keyed.set(key, entry);
  if (listPatch.order === undefined) return [...keyed.values()];
  return listPatch.order.map((key) => {
    const entry = keyed.get(key);
    if (entry === undefined) throw new Error(`Patch of ${field} orders ${key}, which it does not hold`);
    return entry;
  });
}
