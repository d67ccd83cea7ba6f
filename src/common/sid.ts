/** Service ids: `<type>:<name>`, e.g. `vm:101`, `ct:200`, `service:nginx`. */
const SID_PATTERN = /^([a-z][a-z0-9_-]*):([A-Za-z0-9][A-Za-z0-9_.@-]*)$/;

export interface ParsedSid {
  readonly type: string;
  readonly name: string;
}

export function parseSid(sid: string): ParsedSid | undefined {
  const match = SID_PATTERN.exec(sid);
  if (!match) return undefined;
  return { type: match[1]!, name: match[2]! };
}

/**
 * Sids already found valid. The LRM checks the sid of every request, and a steady round renews the
 * request of every running service (thousands in a simulated cluster): a set lookup is cheaper than the
 * pattern. Cleared when full, so a stream of distinct sids cannot grow it without bound.
 */
const validSids = new Set<string>();
/** More sids than any cluster runs (the scale benchmark has 10,000). */
const VALID_SIDS_CACHED_MAX = 100_000;

export function isValidSid(sid: string): boolean {
  if (validSids.has(sid)) return true;
  if (parseSid(sid) === undefined) return false;
  if (validSids.size >= VALID_SIDS_CACHED_MAX) validSids.clear();
  validSids.add(sid);
  return true;
}

/** Service types whose automatic moves are online migrations; every other type relocates. */
export function movesOnline(sid: string): boolean {
  return parseSid(sid)?.type === 'vm';
}

/** Proxmox guest ids (VMIDs), the names of `vm` and `ct` services: integers from 100 to 999999999. */
const GUEST_ID_PATTERN = /^[1-9]\d{2,8}$/;

export function isGuestId(name: string): boolean {
  return GUEST_ID_PATTERN.test(name);
}
