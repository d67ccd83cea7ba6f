/**
 * The scenario command language (`cmdlist`), one command per string:
 *
 *   power <node> on|off            boot / cut power (daemons die on the spot)
 *   network <node> on|off          join / leave the cluster network
 *   reboot <node> | shutdown <node> clean node shutdown through the LRM, by shutdown policy
 *   restart-lrm <node>             LRM restart (services freeze)
 *   crm <node> stop|start          stop / start the node's CRM
 *   crm <node> enable-node-maintenance | disable-node-maintenance
 *   crm <node> disarm-ha freeze|ignore | arm-ha         queue a disarm (arm) of the whole HA stack
 *   crm <node> fence-ack [<operator>]                   an operator confirms <node> is down (a fence
 *                                                      proof; default operator root@pam)
 *   service <sid> started|stopped|disabled|ignored     set the requested state
 *   service <sid> migrate|relocate <node>              queue a CRM command
 *   service <sid> stop <timeout>                       queue a CRM stop command
 *   service <sid> add <node> [<state>] [<running 0|1>] add to the configuration
 *   service <sid> delete                               remove from the configuration
 *   service <sid> manual-migrate <node>                an operator moves the guest by hand: its
 *                                                      configured node (and where it runs) changes;
 *                                                      only while it is ignored or HA is disarmed
 *                                                      in ignore mode, else the run stops
 *   service <sid> lock [<name>] | unlock [<name>]      guest lock: refuses start, stop, moves
 *   service <sid> set-static-stats [maxcpu <n>] [maxmem <MiB>]   its static size (stats-commands.ts)
 *   service <sid> set-dynamic-stats [cpu <n>] [mem <MiB>]        what it uses while it runs
 *   cfs <node> rw|update work|fail                     the node's shared state works or fails
 *   delay <seconds>                hold back the next batch
 *   skip-round crm|lrm [<n>]       the next n rounds run no CRM (LRM) iteration
 *   pve-manager-version <node> set <version>   the pve-manager version the node runs (group migration)
 *   rule <id> node-affinity|resource-affinity ... | rule <id> delete   edit rules.cfg (src/sim/rule-command.ts)
 *
 * Fault commands (chaos runs write them into the scenarios they shrink; all faults are off until one
 * of these runs, so the reference model is untouched without them):
 *
 *   after <seconds> <command>      run <command> that many seconds after this batch, between two
 *                                  daemon iterations (a fault at any moment, not only at slots);
 *                                  <command> may be any command but delay, skip-round and after
 *   storage <node> off|on          the node is cut from (reconnected to) the shared storage: its
 *                                  lease operations, status reads and writes and command reads fail
 *   store down|up                  the whole store stops (starts) answering; `up` also ends `slow`
 *   store slow <seconds>           every store operation takes that much longer (each round lasts
 *                                  that much longer); past the renewal limit (10 s) they fail
 *   stale <node> <seconds>         the node's reads of leases and status files show the store as it
 *                                  was that long ago (at most 30 s, the dir store's bound); 0 ends it
 *   pause <node> <seconds> [crm|lrm]  SIGSTOP of the node's HA daemons (default both) for that long;
 *                                  the watchdog multiplexer keeps running, services keep running
 *   crash <node> crm|lrm|mux       the daemon dies without cleanup and is restarted at once; an armed
 *                                  watchdog client it leaves (all of them for mux) is never fed again,
 *                                  so the node resets after the device timeout (10 s)
 *   crash <node> kdump             the kernel crashes and kdump takes over: the node halts as at power
 *                                  off (reset reason `kdump`) and announces a kernel dump, which a
 *                                  fence_kdump level hears, until it is powered on again
 *   fence-device <id> ok|fail|hang  calls through the fence.cfg device <id> (`ipmi`, `pdu:2`) succeed,
 *                                  fail (exit 1, after the agent's usual time) or hang until the call's
 *                                  timeout; a call already running keeps the outcome it started with
 *   fence-device <id> slow <s>     every call takes <s> seconds (1..600) and succeeds, unless that
 *                                  reaches the call's timeout. Usual times: fence_ipmilan 2.5 s,
 *                                  fence_dummy 0.2 s, fence_kdump 0.2 s to listen, others 1 s, a soft
 *                                  fence 1 s (src/sim/sim-fence-devices.ts, sim-fence-jobs.ts)
 *   drift <node> <permille>        the node's clock runs that much fast (negative: slow), |x| <= 100
 *   fail <sid> start|stop|migrate <n>  the next n such actions of the service fail (a relocation
 *                                  whose stop fails fails too; migrate covers relocate)
 *   heal                           ends every fault above but clock drift (every fence device `ok`),
 *                                  clears pending `fail`s,
 *                                  powers on (and networks) every node that is off, and queues
 *                                  disable-node-maintenance for every node with a maintenance request
 *                                  and arm-ha when the stack is disarmed (or a disarm is queued)
 */
import { isValidSid } from '../common/sid.ts';
import { isPveManagerVersion } from '../common/pve-version.ts';
import { parseRuleCommand, type RuleCommand } from './rule-command.ts';
import { checkStopTimeout, STOP_TIMEOUT_S_MAX } from '../crm/crm-command.ts';
import { parseFaultCommand, type FaultCommand } from './fault-commands.ts';
import { DISARM_MODES, isOneOf, type DisarmMode } from '../common/states.ts';
import { parseStatsCommand, type StatsCommand } from './stats-commands.ts';

export type SimCommand =
  | { kind: 'power' | 'network'; node: string; isOn: boolean; text: string }
  | { kind: 'reboot' | 'shutdown' | 'restart-lrm'; node: string; text: string }
  | { kind: 'crm'; node: string; action: 'stop' | 'start' | 'enable-node-maintenance' | 'disable-node-maintenance'; text: string }
  | { kind: 'crm-disarm'; node: string; mode: DisarmMode; text: string }
  | { kind: 'crm-arm'; node: string; text: string }
  | { kind: 'crm-fence-ack'; node: string; by: string; text: string }
  | { kind: 'service-manual-migrate'; sid: string; node: string; text: string }
  | { kind: 'service-state'; sid: string; state: 'started' | 'stopped' | 'disabled' | 'ignored'; text: string }
  | { kind: 'service-move'; sid: string; move: 'migrate' | 'relocate'; node: string; text: string }
  | { kind: 'service-stop'; sid: string; timeoutS: number; text: string }
  | { kind: 'service-add'; sid: string; node: string; state: 'started' | 'stopped' | 'disabled' | 'ignored'; isRunning: boolean; text: string }
  | { kind: 'service-delete'; sid: string; text: string }
  | { kind: 'service-lock'; sid: string; lock: string | undefined; text: string }
  | { kind: 'cfs'; node: string; part: 'rw' | 'update'; isWorking: boolean; text: string }
  | { kind: 'delay'; seconds: number; text: string }
  | { kind: 'skip-round'; daemon: 'crm' | 'lrm'; rounds: number; text: string }
  | { kind: 'pve-manager-version'; node: string; version: string; text: string }
  | RuleCommand
  | { kind: 'after'; seconds: number; command: SimCommand; text: string }
  | StatsCommand
  | FaultCommand;

/** An `after` reaches at most this far: the next batches are 100 s apart. */
export const AFTER_S_MAX = 3600;

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
      if (second === 'disarm-ha' || second === 'arm-ha') return parseDisarmCommand(text, words, checkNode);
      if (second === 'fence-ack') {
        if (words.length > 4) return `'${text}': expected 'crm <node> fence-ack [<operator>]'`;
        return checkNode(first) ?? { kind: 'crm-fence-ack', node: first!, by: third ?? 'root@pam', text };
      }
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
    case 'after':
      return parseAfter(text, words, nodes);
    case 'rule':
      return parseRuleCommand(text, words);
    case 'pve-manager-version':
      if (words.length !== 4 || second !== 'set' || !isPveManagerVersion(third ?? '')) return `'${text}': expected 'pve-manager-version <node> set <version>', e.g. 9.0.0~16`;
      return checkNode(first) ?? { kind: 'pve-manager-version', node: first!, version: third!, text };
    default:
      void fourth;
      return parseFaultCommand(text, { words, checkNode }) ?? `unknown command '${text}'`;
  }
}

function parseAfter(text: string, words: string[], nodes: ReadonlySet<string>): SimCommand | string {
  const seconds = words[1];
  if (words.length < 3 || seconds === undefined || !/^\d+$/.test(seconds) || Number(seconds) > AFTER_S_MAX) {
    return `'${text}': expected 'after <seconds, at most ${AFTER_S_MAX}> <command>'`;
  }
  const inner = parseCommand(words.slice(2).join(' '), nodes);
  if (typeof inner === 'string') return inner;
  if (inner.kind === 'delay' || inner.kind === 'skip-round' || inner.kind === 'after') return `'${text}': 'after' cannot hold '${inner.kind}'`;
  return { kind: 'after', seconds: Number(seconds), command: inner, text };
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
      if (words.length !== 4 || !checkStopTimeout(argument ?? '').ok) return `'${text}': expected 'service <sid> stop <timeout>', timeout 0 to ${STOP_TIMEOUT_S_MAX} s`;
      return { kind: 'service-stop', sid, timeoutS: Number(argument), text };
    case 'add': {
      if (words.length < 4 || words.length > 6) return `'${text}': expected 'service <sid> add <node> [<state>] [<running>]'`;
      const state = (words[4] ?? 'started') as Requested;
      if (!REQUESTED.includes(state)) return `'${text}': unknown state '${state}'`;
      if (words[5] !== undefined && words[5] !== '0' && words[5] !== '1') return `'${text}': running must be 0 or 1`;
      return checkNode(argument) ?? { kind: 'service-add', sid, node: argument!, state, isRunning: words[5] === '1', text };
    }
    case 'manual-migrate':
      if (words.length !== 4) return `'${text}': expected 'service <sid> manual-migrate <node>'`;
      return checkNode(argument) ?? { kind: 'service-manual-migrate', sid, node: argument!, text };
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
      return parseStatsCommand(text, sid, action ?? '', words.slice(3)) ?? `unknown service command '${text}'`;
  }
}

/** `crm <node> disarm-ha freeze|ignore` and `crm <node> arm-ha`: the node only has to exist. */
function parseDisarmCommand(text: string, words: string[], checkNode: (node: string | undefined) => string | undefined): SimCommand | string {
  const [, node, action, mode] = words;
  if (action === 'arm-ha') return words.length === 3 ? (checkNode(node) ?? { kind: 'crm-arm', node: node!, text }) : `'${text}': expected 'crm <node> arm-ha'`;
  if (words.length !== 4 || !isOneOf(DISARM_MODES, mode)) return `'${text}': expected 'crm <node> disarm-ha ${DISARM_MODES.join('|')}'`;
  return checkNode(node) ?? { kind: 'crm-disarm', node: node!, mode, text };
}
