/**
 * Value rules of config options, shared by the file parsers (which prefix the file and line) and by
 * the command line (which prefixes the option name). Each check returns the parsed value or a problem
 * sentence.
 */
import { isValidNodeName } from '../common/node-name.ts';
import { isOneOf, REQUESTED_STATES, type RequestedState } from '../common/states.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(problem: string): Checked<T> => ({ ok: false, problem });

/** A check's problem, prefixed with the option it is about. */
export function forOption<T>(key: string, checked: Checked<T>): Checked<T> {
  return checked.ok ? checked : { ok: false, problem: `Option '${key}': ${checked.problem}` };
}

/** Group ids, like Proxmox's config ids. */
export const GROUP_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Proxmox limits max_restart and max_relocate to 0..10; more attempts only delay the error state. */
export const RESTART_ATTEMPTS_MAX = 10;
/** Highest node priority in a group. */
export const NODE_PRIORITY_MAX = 1000;
/** Comments are one line of at most this many characters (Proxmox's limit). */
export const COMMENT_LENGTH_MAX = 4096;

export function checkRequestedState(text: string): Checked<RequestedState> {
  const state = text === 'enabled' ? 'started' : text;
  if (isOneOf(REQUESTED_STATES, state)) return ok(state);
  return bad(`Bad state '${text}', expected one of ${REQUESTED_STATES.join(', ')} (enabled means started)`);
}

export function checkCount(text: string, maximum: number): Checked<number> {
  if (!/^\d+$/.test(text) || Number(text) > maximum) return bad(`Bad value '${text}', expected an integer from 0 to ${maximum}`);
  return ok(Number(text));
}

export function checkFlag(text: string): Checked<boolean> {
  if (text === '0' || text === '1') return ok(text === '1');
  return bad(`Bad value '${text}', expected 0 or 1`);
}

export { checkNodeName } from '../common/node-name.ts';

export function checkGroupId(text: string): Checked<string> {
  if (GROUP_ID.test(text)) return ok(text);
  return bad(`Bad group name '${text}', expected a letter followed by letters, digits, '-' or '_'`);
}

export function checkComment(text: string): Checked<string> {
  if (/[\u0000-\u001f\u007f]/.test(text)) return bad('Bad comment: it must be one line without control characters');
  if (text.length > COMMENT_LENGTH_MAX) return bad(`Comment too long: ${text.length} characters, the limit is ${COMMENT_LENGTH_MAX}`);
  return ok(text);
}

/** `node[:priority]` entries, comma separated; priorities default to 0, higher wins. */
export function checkNodeList(text: string): Checked<Record<string, number>> {
  const nodes: Record<string, number> = {};
  if (text.trim() === '') return bad('Empty node list, expected comma-separated node[:priority] entries');
  for (const entry of text.split(',').map((part) => part.trim())) {
    const match = /^([^:]+)(?::(\d+))?$/.exec(entry);
    if (!match || !isValidNodeName(match[1]!)) return bad(`Bad node entry '${entry}', expected node[:priority]`);
    const priority = match[2] === undefined ? 0 : Number(match[2]);
    if (priority > NODE_PRIORITY_MAX) return bad(`Bad priority ${priority} of node '${match[1]}', expected 0 to ${NODE_PRIORITY_MAX}`);
    if (match[1]! in nodes) return bad(`Node '${match[1]}' listed twice`);
    nodes[match[1]!] = priority;
  }
  return ok(nodes);
}

/** A duration: `120` or `120s` (seconds) or `500ms`; returned in milliseconds. */
export function checkDurationMs(text: string): Checked<number> {
  const match = /^(\d{1,9})(s|ms)?$/.exec(text);
  if (!match) return bad(`Bad duration '${text}', expected seconds (120 or 120s) or milliseconds (500ms)`);
  return ok(match[2] === 'ms' ? Number(match[1]) : Number(match[1]) * 1000);
}

export function checkPositiveInteger(text: string, maximum: number): Checked<number> {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > maximum) return bad(`Bad value '${text}', expected an integer from 1 to ${maximum}`);
  return ok(Number(text));
}

export function checkOneOf<T extends string>(list: readonly T[], text: string): Checked<T> {
  if (isOneOf(list, text)) return ok(text);
  return bad(`Bad value '${text}', expected one of ${list.join(', ')}`);
}
