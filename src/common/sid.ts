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

export function isValidSid(sid: string): boolean {
  return parseSid(sid) !== undefined;
}

/** Service types whose automatic moves are online migrations; every other type relocates. */
export function movesOnline(sid: string): boolean {
  return parseSid(sid)?.type === 'vm';
}
