/**
 * CRM commands: requests for the master, queued as one line of text each (commands/ in the shared
 * directory, the simulator's queue). This module is the only place that builds that text
 * (`formatCrmCommand`) and the only place that reads it (`parseCrmCommand`); everything else handles
 * the typed value. What a command may do is checked in check-crm-command.ts.
 *
 *   migrate <sid> <node>               move online (live) if the service runs, else offline
 *   relocate <sid> <node>              move offline: stop, move, start
 *   stop <sid> <timeout>               stop within <timeout> seconds (0: at once); requested state → stopped
 *   enable-node-maintenance <node>     move the node's services away until disabled
 *   disable-node-maintenance <node>
 *   disarm-ha freeze|ignore            release every watchdog; services frozen, or no longer tracked
 *   arm-ha                             end the disarm request
 *   fence-ack <node> <by>              an operator (<by>) confirms the lost node is down: a fence proof
 */
import { checkNodeName } from '../common/node-name.ts';
import { isValidSid } from '../common/sid.ts';
import { DISARM_MODES, isOneOf, type DisarmMode } from '../common/states.ts';

export type CrmCommand =
  | { readonly kind: 'migrate' | 'relocate'; readonly sid: string; readonly node: string }
  | { readonly kind: 'stop'; readonly sid: string; readonly timeoutS: number }
  | { readonly kind: 'enable-node-maintenance' | 'disable-node-maintenance'; readonly node: string }
  | { readonly kind: 'disarm-ha'; readonly mode: DisarmMode }
  | { readonly kind: 'arm-ha' }
  | { readonly kind: 'fence-ack'; readonly node: string; readonly by: string };

export type CrmCommandKind = CrmCommand['kind'];

export const CRM_COMMAND_KINDS: readonly CrmCommandKind[] = ['migrate', 'relocate', 'stop', 'enable-node-maintenance', 'disable-node-maintenance', 'disarm-ha', 'arm-ha', 'fence-ack'];

/** A stop waits at most a day for the service; a longer timeout is a typo, not a plan. */
export const STOP_TIMEOUT_S_MAX = 86_400;

/** A value, or the one-line problem that kept the text from being one. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** The queued text of a command. Its parts are checked: a malformed command is a bug of the caller. */
export function formatCrmCommand(command: CrmCommand): string {
  const words = wordsOf(command);
  const parsed = parseCrmCommand(words.join(' '));
  if (!parsed.ok) throw new Error(`Bad CRM command ${JSON.stringify(command)}: ${parsed.problem}`);
  return words.join(' ');
}

function wordsOf(command: CrmCommand): string[] {
  switch (command.kind) {
    case 'migrate':
    case 'relocate':
      return [command.kind, command.sid, command.node];
    case 'stop':
      return [command.kind, command.sid, String(command.timeoutS)];
    case 'enable-node-maintenance':
    case 'disable-node-maintenance':
      return [command.kind, command.node];
    case 'disarm-ha':
      return [command.kind, command.mode];
    case 'arm-ha':
      return [command.kind];
    case 'fence-ack':
      return [command.kind, command.node, command.by];
  }
}

/** Reads one queued line; every malformed form is a problem naming what is wrong. */
export function parseCrmCommand(line: string): Parsed<CrmCommand> {
  const words = line.trim().split(/\s+/).filter((word) => word !== '');
  const [kind, first, second] = words;
  if (kind === undefined) return bad('Empty CRM command');
  if (!(CRM_COMMAND_KINDS as readonly string[]).includes(kind)) {
    return bad(`Unknown CRM command '${kind}', expected one of ${CRM_COMMAND_KINDS.join(', ')}`);
  }
  if (words.length - 1 !== arityOf(kind as CrmCommandKind)) return bad(`CRM command '${line.trim()}': ${kind} takes ${usageOf(kind as CrmCommandKind)}`);
  if (kind === 'arm-ha') return ok({ kind });
  if (kind === 'disarm-ha') return isOneOf(DISARM_MODES, first) ? ok({ kind, mode: first }) : bad(`Bad disarm mode '${first}', expected ${DISARM_MODES.join(' or ')}`);
  if (kind === 'enable-node-maintenance' || kind === 'disable-node-maintenance') {
    const node = checkNode(first!);
    return node.ok ? ok({ kind, node: node.value }) : node;
  }
  if (kind === 'fence-ack') {
    const node = checkNode(first!);
    if (!node.ok) return node;
    const by = checkOperator(second!);
    return by.ok ? ok({ kind, node: node.value, by: by.value }) : by;
  }
  if (!isValidSid(first!)) return bad(`Bad service id '${first}' in CRM command '${line.trim()}', expected <type>:<name>`);
  if (kind === 'stop') {
    const timeoutS = checkStopTimeout(second!);
    return timeoutS.ok ? ok({ kind, sid: first!, timeoutS: timeoutS.value }) : timeoutS;
  }
  const node = checkNode(second!);
  return node.ok ? ok({ kind: kind as 'migrate' | 'relocate', sid: first!, node: node.value }) : node;
}

/** The timeout of a stop: whole seconds from 0 to a day. */
export function checkStopTimeout(text: string): Parsed<number> {
  if (!/^\d+$/.test(text) || Number(text) > STOP_TIMEOUT_S_MAX) return bad(`Bad timeout '${text}', expected seconds from 0 to ${STOP_TIMEOUT_S_MAX}`);
  return ok(Number(text));
}

export function checkNode(text: string): Parsed<string> {
  return checkNodeName(text);
}

/** Who confirmed a fence: a user name, with an optional realm or host (root@pam, admin@node1). */
const OPERATOR_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/;

export function checkOperator(text: string): Parsed<string> {
  return OPERATOR_PATTERN.test(text) ? ok(text) : bad(`Bad operator name '${text}', expected one word such as root@pam`);
}

function usageOf(kind: CrmCommandKind): string {
  if (kind === 'fence-ack') return '<node> <operator>';
  if (kind === 'stop') return '<sid> <timeout>';
  if (kind === 'migrate' || kind === 'relocate') return '<sid> <node>';
  if (kind === 'disarm-ha') return DISARM_MODES.join('|');
  if (kind === 'arm-ha') return 'no arguments';
  return '<node>';
}

function arityOf(kind: CrmCommandKind): number {
  if (kind === 'arm-ha') return 0;
  return kind === 'migrate' || kind === 'relocate' || kind === 'stop' || kind === 'fence-ack' ? 2 : 1;
}

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function bad<T>(problem: string): Parsed<T> {
  return { ok: false, problem };
}
