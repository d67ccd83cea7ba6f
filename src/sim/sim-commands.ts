/**
 * The scenario command language (`cmdlist`), one command per string:
 *
 *   power <node> on|off            boot / cut power (daemons die on the spot)
 *   network <node> on|off          join / leave the cluster network
 *   reboot <node> | shutdown <node> clean node shutdown through the LRM, by shutdown policy
 *   restart-lrm <node>             LRM restart (services freeze)
 *   crm <node> stop|start          stop / start the node's CRM
 *   crm <node> enable-node-maintenance | disable-node-maintenance
 *   service <sid> started|stopped|disabled|ignored     set the requested state
 *   service <sid> migrate|relocate <node>              queue a CRM command
 *   service <sid> stop <timeout>                       queue a CRM stop command
 *   service <sid> add <node> [<state>] [<running 0|1>] add to the configuration
 *   service <sid> delete                               remove from the configuration
 *   service <sid> lock [<name>] | unlock [<name>]      guest lock: refuses start, stop, moves
 *   cfs <node> rw|update work|fail                     the node's shared state works or fails
 *   delay <seconds>                hold back the next batch
 *   skip-round crm|lrm [<n>]       the next n rounds run no CRM (LRM) iteration
 */
import { isValidSid } from '../common/sid.ts';

export type SimCommand =
  | { kind: 'power' | 'network'; node: string; isOn: boolean; text: string }
  | { kind: 'reboot' | 'shutdown' | 'restart-lrm'; node: string; text: string }
  | { kind: 'crm'; node: string; action: 'stop' | 'start' | 'enable-node-maintenance' | 'disable-node-maintenance'; text: string }
  | { kind: 'service-state'; sid: string; state: 'started' | 'stopped' | 'disabled' | 'ignored'; text: string }
  | { kind: 'service-move'; sid: string; move: 'migrate' | 'relocate'; node: string; text: string }
  | { kind: 'service-stop'; sid: string; timeoutS: number; text: string }
  | { kind: 'service-add'; sid: string; node: string; state: 'started' | 'stopped' | 'disabled' | 'ignored'; isRunning: boolean; text: string }
  | { kind: 'service-delete'; sid: string; text: string }
  | { kind: 'service-lock'; sid: string; lock: string | undefined; text: string }
  | { kind: 'cfs'; node: string; part: 'rw' | 'update'; isWorking: boolean; text: string }
  | { kind: 'delay'; seconds: number; text: string }
  | { kind: 'skip-round'; daemon: 'crm' | 'lrm'; rounds: number; text: string };

const REQUESTED = ['started', 'stopped', 'disabled', 'ignored'] as const;
type Requested = (typeof REQUESTED)[number];

/** Parses one command; returns a message naming the problem when it is not valid. */
export function parseCommand(text: string, nodes: ReadonlySet<string>): SimCommand | string {
  const words = text.trim().split(/\s+/);
  const [verb, first, second, third, fourth] = words;
  const checkNode = (node: string | undefined): string | undefined =>
    node === undefined ? `'${text}': missing node` : nodes.has(node) ? undefined : `'${text}': unknown node '${node}'`;
  const isCount = (value: string | undefined) => value !== undefined && /^\d+$/.test(value);
  switch (verb) {
    case 'power':
    case 'network':
      if (words.length !== 3 || (second !== 'on' && second !== 'off')) return `'${text}': expected '${verb} <node> on|off'`;
      return checkNode(first) ?? { kind: verb, node: first!, isOn: second === 'on', text };
    case 'reboot':
    case 'shutdown':
    case 'restart-lrm':
      if (words.length !== 2) return `'${text}': expected '${verb} <node>'`;
      return checkNode(first) ?? { kind: verb, node: first!, text };
    case 'crm': {
      const actions = ['stop', 'start', 'enable-node-maintenance', 'disable-node-maintenance'] as const;
      if (words.length !== 3 || !actions.includes(second as never)) return `'${text}': expected 'crm <node> ${actions.join('|')}'`;
      return checkNode(first) ?? { kind: 'crm', node: first!, action: second as (typeof actions)[number], text };
    }
    case 'service':
      return parseServiceCommand(text, words, nodes, checkNode);
    case 'cfs':
      if (words.length !== 4 || (second !== 'rw' && second !== 'update') || (third !== 'work' && third !== 'fail')) {
        return `'${text}': expected 'cfs <node> rw|update work|fail'`;
      }
      return checkNode(first) ?? { kind: 'cfs', node: first!, part: second, isWorking: third === 'work', text };
    case 'delay':
      if (words.length !== 2 || !isCount(first)) return `'${text}': expected 'delay <seconds>'`;
      return { kind: 'delay', seconds: Number(first), text };
    case 'skip-round':
      if ((first !== 'crm' && first !== 'lrm') || words.length > 3 || (second !== undefined && !isCount(second))) {
        return `'${text}': expected 'skip-round crm|lrm [<rounds>]'`;
      }
      return { kind: 'skip-round', daemon: first, rounds: second === undefined ? 1 : Number(second), text };
    default:
      void fourth;
      return `unknown command '${text}'`;
  }
}

function parseServiceCommand(
  text: string,
  words: string[],
  nodes: ReadonlySet<string>,
  checkNode: (node: string | undefined) => string | undefined,
): SimCommand | string {
  const [, sid, action, argument, extra] = words;
  if (sid === undefined || !isValidSid(sid)) return `'${text}': bad service id '${sid ?? ''}'`;
  if (REQUESTED.includes(action as Requested) && words.length === 3) return { kind: 'service-state', sid, state: action as Requested, text };
  switch (action) {
    case 'migrate':
    case 'relocate':
      if (words.length !== 4) return `'${text}': expected 'service <sid> ${action} <node>'`;
      return checkNode(argument) ?? { kind: 'service-move', sid, move: action, node: argument!, text };
    case 'stop':
      if (words.length !== 4 || !/^\d+$/.test(argument ?? '')) return `'${text}': expected 'service <sid> stop <timeout>'`;
      return { kind: 'service-stop', sid, timeoutS: Number(argument), text };
    case 'add': {
      if (words.length < 4 || words.length > 6) return `'${text}': expected 'service <sid> add <node> [<state>] [<running>]'`;
      const state = (words[4] ?? 'started') as Requested;
      if (!REQUESTED.includes(state)) return `'${text}': unknown state '${state}'`;
      if (words[5] !== undefined && words[5] !== '0' && words[5] !== '1') return `'${text}': running must be 0 or 1`;
      return checkNode(argument) ?? { kind: 'service-add', sid, node: argument!, state, isRunning: words[5] === '1', text };
    }
    case 'delete':
      if (words.length !== 3) return `'${text}': expected 'service <sid> delete'`;
      return { kind: 'service-delete', sid, text };
    case 'lock':
    case 'unlock':
      if (words.length > 4) return `'${text}': expected 'service <sid> ${action} [<name>]'`;
      return { kind: 'service-lock', sid, lock: action === 'lock' ? (argument ?? 'backup') : undefined, text };
    default:
      void extra;
      void nodes;
      return `unknown service command '${text}'`;
  }
}
