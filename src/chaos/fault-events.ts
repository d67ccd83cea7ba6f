import { assertNever } from '../common/assert.ts';
import type { Prng } from '../common/prng.ts';
import type { CrmCommand } from '../crm/crm-command.ts';
import { scenarioCommandOf } from '../sim/scenario-crm-command.ts';
import type { FaultKind } from './chaos-config.ts';

/** Stale reads in chaos runs stay within this: the dir store's bound is 30 s (see liveness-bound.ts). */
export const CHAOS_STALE_S_MAX = 20;
/** Clock drift in chaos runs: ±5 %, within the timing rule's drift margin. */
export const CHAOS_DRIFT_PERMILLE_MAX = 50;
/** A store slower than the renewal limit (10 s) fails its operations: chaos goes a little past it. */
const STORE_LATENCY_S_MAX = 12;

export interface EventContext {
  readonly prng: Prng;
  readonly nodes: readonly string[];
  readonly sids: readonly string[];
}

/** Between 0 and 99 s into the slot: faults happen between daemon iterations, not only at slots. */
function offset(prng: Prng): number {
  return prng.int(100);
}

function between(prng: Prng, low: number, high: number): number {
  return low + prng.int(high - low + 1);
}

function at(seconds: number, command: string): string {
  return seconds === 0 ? command : `after ${seconds} ${command}`;
}

/** The commands of one random fault event of the given kind (a fault and, usually, its end). */
export function faultEvent(kind: FaultKind, context: EventContext): string[] {
  const { prng, nodes, sids } = context;
  const node = nodes[prng.int(nodes.length)]!;
  const sid = sids[prng.int(sids.length)]!;
  const start = offset(prng);
  switch (kind) {
    case 'power':
      return powerEvent(prng, node, start);
    case 'network':
      return [at(start, `network ${node} off`), at(start + between(prng, 5, 300), `network ${node} on`)];
    case 'storage':
      return [at(start, `storage ${node} off`), at(start + between(prng, 5, 300), `storage ${node} on`)];
    case 'store':
      return storeEvent(prng, start);
    case 'stale':
      return [at(start, `stale ${node} ${between(prng, 1, CHAOS_STALE_S_MAX)}`), at(start + between(prng, 10, 400), `stale ${node} 0`)];
    case 'crash': {
      const draw = prng.int(4);
      return [at(start, draw === 3 ? `restart-lrm ${node}` : `crash ${node} ${(['crm', 'lrm', 'mux'] as const)[draw]}`)];
    }
    case 'pause': {
      const daemons = ['', ' crm', ' lrm'][prng.int(3)]!;
      return [at(start, `pause ${node} ${between(prng, 2, 200)}${daemons}`)];
    }
    case 'drift':
      return [at(start, `drift ${node} ${between(prng, -CHAOS_DRIFT_PERMILLE_MAX, CHAOS_DRIFT_PERMILLE_MAX)}`)];
    case 'service':
      return [at(start, `fail ${sid} ${(['start', 'stop', 'migrate'] as const)[prng.int(3)]} ${between(prng, 1, 3)}`)];
    case 'config': {
      const draw = prng.next();
      return [at(start, `service ${sid} ${draw < 0.5 ? 'started' : draw < 0.75 ? 'stopped' : 'disabled'}`)];
    }
    case 'cli':
      return cliEvent(prng, node, sid, start);
    case 'disarm':
      return disarmEvent(prng, node, start);
    case 'unmanaged':
    case 'rules':
    case 'fence':
      return []; // schedules of the whole plan, not events (unmanaged-schedule.ts, rule-schedule.ts, fence-schedule.ts)
    default:
      assertNever(kind, 'fault kind');
  }
}

function powerEvent(prng: Prng, node: string, start: number): string[] {
  const draw = prng.next();
  if (draw < 0.6) return [at(start, `power ${node} off`), at(start + between(prng, 10, 300), `power ${node} on`)];
  if (draw < 0.8) return [at(start, `reboot ${node}`)];
  return [at(start, `shutdown ${node}`), at(start + between(prng, 60, 300), `power ${node} on`)];
}

function storeEvent(prng: Prng, start: number): string[] {
  if (prng.next() < 0.5) return [at(start, 'store down'), at(start + between(prng, 2, 90), 'store up')];
  return [at(start, `store slow ${between(prng, 1, STORE_LATENCY_S_MAX)}`), at(start + between(prng, 10, 200), 'store up')];
}

/** Operator requests: CRM commands as typed values, written in the scenario language that queues them. */
function cliEvent(prng: Prng, node: string, sid: string, start: number): string[] {
  const draw = prng.next();
  const request = (command: CrmCommand, seconds = start) => at(seconds, scenarioCommandOf(command));
  if (draw < 0.3) return [request({ kind: 'migrate', sid, node })];
  if (draw < 0.5) return [request({ kind: 'relocate', sid, node })];
  if (draw < 0.65) return [request({ kind: 'stop', sid, timeoutS: prng.next() < 0.5 ? 0 : 30 })];
  return [request({ kind: 'enable-node-maintenance', node }), request({ kind: 'disable-node-maintenance', node }, start + between(prng, 30, 400))];
}

/** The whole HA stack disarmed in either mode, from any node, and armed again a while later (or by the heal). */
function disarmEvent(prng: Prng, node: string, start: number): string[] {
  const mode = prng.next() < 0.5 ? 'freeze' : 'ignore';
  return [at(start, scenarioCommandOf({ kind: 'disarm-ha', mode }, node)), at(start + between(prng, 30, 400), scenarioCommandOf({ kind: 'arm-ha' }, node))];
}
