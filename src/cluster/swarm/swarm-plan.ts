/**
 * The fault schedule of a cluster swarm run, as data: a pure function of the seed and the options, so
 * that it can be printed before the run and replayed (`--seed S` with the same options gives the same
 * schedule; real timing still makes two runs differ in what the faults meet).
 *
 * Faults come one after another at seeded gaps. A fault on a node keeps that node "disturbed" for its
 * own length plus the time in which a watchdog reset would follow it; at most ⌊(N−1)/2⌋ nodes are
 * disturbed at once, so a majority of nodes stays up and liveness is checkable. The plan cannot know
 * how long a node really stays down after a reset: the run skips a fault that would go beyond the
 * limit then (./fault-runner.ts), and says so. Now and then a short whole-node pause goes beyond the
 * limit on purpose: a short window without a quorum of healthy nodes.
 * CLI requests that change a service's requested state or a node's maintenance are paired with their
 * undo a seeded while later, and every undo happens before the faults stop.
 */
import { assert } from '../../common/assert.ts';
import { Prng } from '../../common/prng.ts';
import { SHUTDOWN_POLICIES, type ShutdownPolicy } from '../../common/states.ts';
import type { Timing } from '../../common/timing.ts';
import type { ClusterResource } from '../cluster-config.ts';

/** Faults of nodes and of the operator, on either store (on etcd, `cut` cuts a node's proxies). */
export const SWARM_FAULT_KINDS = ['kill', 'pause', 'cut', 'restart-cut', 'reboot', 'reset', 'cli'] as const;
/** Faults of the store itself, only on etcd: a member killed, the leader killed, a member SIGSTOPped, the majority lost briefly. */
export const SWARM_ETCD_FAULT_KINDS = ['etcd-kill', 'etcd-leader', 'etcd-pause', 'etcd-majority'] as const;
export type SwarmEtcdFaultKind = (typeof SWARM_ETCD_FAULT_KINDS)[number];
export type SwarmFaultKind = (typeof SWARM_FAULT_KINDS)[number] | SwarmEtcdFaultKind;
export type SwarmDaemon = 'crm' | 'lrm' | 'mux';

export type SwarmFault =
  /** kill -9 of one daemon; a supervisor restarts ha-crm and ha-lrm, a dead mux means a reset. */
  | { readonly kind: 'kill'; readonly atMs: number; readonly node: string; readonly daemon: SwarmDaemon }
  /** SIGSTOP, then SIGCONT after `durationMs`, of one daemon or of every process of the node. */
  | { readonly kind: 'pause'; readonly atMs: number; readonly node: string; readonly target: SwarmDaemon | 'node'; readonly durationMs: number; readonly isBeyondQuorum: boolean }
  /** The node's way to the store (its link, its etcd proxies) is cut for `durationMs`. */
  | { readonly kind: 'cut'; readonly atMs: number; readonly node: string; readonly durationMs: number }
  /** The LRM restarts (SIGTERM, kind `restart`), the node is cut the moment it has exited, healed after `durationMs`. */
  | { readonly kind: 'restart-cut'; readonly atMs: number; readonly node: string; readonly durationMs: number }
  /** A clean reboot (LRM stop of kind `reboot`), the node starts again `delayMs` after it is down. */
  | { readonly kind: 'reboot'; readonly atMs: number; readonly node: string; readonly delayMs: number }
  /** Every process of the node killed at once, as its watchdog would; it starts again after `delayMs`. */
  | { readonly kind: 'reset'; readonly atMs: number; readonly node: string; readonly delayMs: number }
  /** `ha-manager <args>` against the store; an undo puts back what an earlier request changed. */
  | { readonly kind: 'cli'; readonly atMs: number; readonly args: readonly string[]; readonly isUndo: boolean }
  | EtcdFault;
export type NodeFault = Exclude<SwarmFault, { kind: 'cli' } | EtcdFault>;
/**
 * A fault of the cluster's etcd, undone after `durationMs`: member `member` (an index) killed or
 * SIGSTOPped, the leader killed, or a majority (the leader among it) killed; killed members start again.
 */
export interface EtcdFault {
  readonly kind: SwarmEtcdFaultKind;
  readonly atMs: number;
  readonly member: number;
  readonly durationMs: number;
}

export interface SwarmPlanOptions {
  readonly nodes: number;
  readonly services: number;
  /** How long faults are injected. */
  readonly faultPhaseMs: number;
  readonly kinds: readonly SwarmFaultKind[];
  readonly timing: Timing;
}

export interface SwarmPlan {
  readonly seed: number;
  readonly nodes: readonly string[];
  readonly resources: readonly ClusterResource[];
  /** Started first, so that the first master is known before the others start their CRMs. */
  readonly firstMaster: string;
  /** What a clean reboot does to the node's services (ha.cfg `shutdown_policy`). */
  readonly shutdownPolicy: ShutdownPolicy;
  readonly faults: readonly SwarmFault[];
  readonly options: SwarmPlanOptions;
}

export const SWARM_NODES_MIN = 3;
export const SWARM_NODES_MAX = 5;
/** Services per run at most: each is a process; a 2-core machine runs a few dozen comfortably. */
export const SWARM_SERVICES_MAX = 40;
/** Seeded gap between two fault draws: a fault every few seconds, several rounds apart on average. */
const GAP_MS_MIN = 1_000;
const GAP_MS_MAX = 7_000;
/** A node rebooted or reset starts again after this seeded delay (the firmware and the boot). */
export const REBOOT_DELAY_MS_MIN = 1_000;
export const REBOOT_DELAY_MS_MAX = 6_000;
/**
 * Allowance for a node's processes to start and run their first rounds: tsx loads each daemon, a few
 * seconds on a loaded 2-core machine (the cluster's start measures about 10 s for all three nodes).
 */
export const BOOT_ALLOWANCE_MS = 12_000;
/** A short whole-node pause may go beyond the quorum limit this often (per node fault drawn while none is allowed). */
const BEYOND_QUORUM_PROBABILITY = 0.15;
/** Such a pause stays well below the emulated device timeout of the fast profile (2 s). */
const BEYOND_QUORUM_PAUSE_MS_MAX = 1_200;
/** Undo of a CLI flip: a few rounds to a few lease timeouts later. */
const UNDO_MS_MIN = 3_000;
const UNDO_MS_MAX = 40_000;
/** Faults stop this long before the end of the fault phase, so that each fault's end falls inside it. */
const PHASE_END_MARGIN_MS = 1_000;

const KIND_WEIGHTS: Readonly<Record<SwarmFaultKind, number>> = {
  kill: 3, pause: 3, cut: 3, 'restart-cut': 1, reboot: 1, reset: 1, cli: 4,
  'etcd-kill': 1, 'etcd-leader': 1, 'etcd-pause': 1, 'etcd-majority': 1,
};
/** Members of the swarm's etcd (src/cluster/etcd-local-store.ts LOCAL_ETCD_MEMBERS: a plan is pure, so the figure is repeated). */
const ETCD_MEMBERS = 3;
/** A member down or paused: from a couple of seconds (an election or none) to a few lease timeouts' worth of rounds. */
const ETCD_MEMBER_DOWN_MS_MIN = 2_000;
const ETCD_MEMBER_DOWN_MS_MAX = 20_000;
/**
 * "Majority lost briefly": the members are killed and started again after this long. Their start and
 * election take 1-3 s more on a loaded machine, so the store is gone for less than the fast profile's
 * watchdog client timeout (5 s) at the short end and beyond it at the long end: both sides are drawn.
 */
const ETCD_MAJORITY_LOSS_MS_MIN = 500;
const ETCD_MAJORITY_LOSS_MS_MAX = 4_000;
/** After an etcd fault ends, its members take this long to start and elect before the next one. */
const ETCD_RECOVERY_MS = 5_000;

/** At most this many nodes disturbed at once: a majority of nodes stays healthy. */
export function disturbedNodesMax(nodeCount: number): number {
  return Math.floor((nodeCount - 1) / 2);
}

/** After a fault ends, a watchdog reset it caused comes within this: the client timeout, then the device's. */
export function resetRevealMs(timing: Timing): number {
  return timing.watchdogClientTimeoutMs + timing.watchdogDeviceTimeoutMs;
}

export function planSwarm(seed: number, options: SwarmPlanOptions): SwarmPlan {
  assert(options.nodes >= SWARM_NODES_MIN && options.nodes <= SWARM_NODES_MAX, `Swarm nodes ${options.nodes} outside ${SWARM_NODES_MIN}..${SWARM_NODES_MAX}`);
  assert(options.services >= 1 && options.services <= SWARM_SERVICES_MAX, `Swarm services ${options.services} outside 1..${SWARM_SERVICES_MAX}`);
  const prng = new Prng(seed);
  const nodes = Array.from({ length: options.nodes }, (_, index) => `node${index + 1}`);
  const resources = planResources(prng.stream('services'), nodes, options.services);
  const firstMaster = nodes[prng.stream('master').int(nodes.length)]!;
  const shutdownPolicy = SHUTDOWN_POLICIES[prng.stream('settings').int(SHUTDOWN_POLICIES.length)]!;
  const faults = planFaults(prng.stream('faults'), nodes, resources.map((resource) => resource.sid), options);
  return { seed, nodes, resources, firstMaster, shutdownPolicy, faults, options };
}

function planResources(prng: Prng, nodes: readonly string[], count: number): ClusterResource[] {
  const resources: ClusterResource[] = [];
  for (let index = 0; index < count; index++) {
    const type = prng.next() < 0.6 ? 'vm' : 'ct';
    resources.push({ sid: `${type}:${101 + index}`, node: nodes[(index + prng.int(nodes.length)) % nodes.length]! });
  }
  return resources;
}

interface Draw {
  readonly prng: Prng;
  readonly nodes: readonly string[];
  readonly sids: readonly string[];
  readonly options: SwarmPlanOptions;
}

function planFaults(prng: Prng, nodes: readonly string[], sids: readonly string[], options: SwarmPlanOptions): SwarmFault[] {
  const draw: Draw = { prng, nodes, sids, options };
  const lastAtMs = options.faultPhaseMs - PHASE_END_MARGIN_MS;
  const disturbedUntilMs = new Map<string, number>(nodes.map((node) => [node, 0]));
  const faults: SwarmFault[] = [];
  const limit = disturbedNodesMax(nodes.length);
  // One etcd fault at a time: two members down at once is the majority fault's, not an accident of the draw.
  let etcdBusyUntilMs = 0;
  for (let atMs = between(prng, GAP_MS_MIN, GAP_MS_MAX); atMs < lastAtMs; atMs += between(prng, GAP_MS_MIN, GAP_MS_MAX)) {
    const kind = pickKind(prng, options.kinds);
    if (kind === 'cli') {
      faults.push(...cliRequest(draw, atMs, lastAtMs));
      continue;
    }
    if (isEtcdFaultKind(kind)) {
      if (atMs < etcdBusyUntilMs) continue;
      const fault = etcdFault(prng, kind, atMs, lastAtMs);
      etcdBusyUntilMs = atMs + fault.durationMs + ETCD_RECOVERY_MS;
      faults.push(fault);
      continue;
    }
    const free = nodes.filter((node) => disturbedUntilMs.get(node)! <= atMs);
    const disturbed = nodes.length - free.length;
    let fault: NodeFault;
    if (disturbed < limit) {
      fault = nodeFault(draw, kind, free[prng.int(free.length)]!, atMs, lastAtMs);
    } else if (free.length > 0 && options.kinds.includes('pause') && prng.next() < BEYOND_QUORUM_PROBABILITY) {
      fault = { kind: 'pause', atMs, node: free[prng.int(free.length)]!, target: 'node', durationMs: between(prng, 300, BEYOND_QUORUM_PAUSE_MS_MAX), isBeyondQuorum: true };
    } else {
      continue;
    }
    disturbedUntilMs.set(fault.node, atMs + faultLengthMs(fault) + resetRevealMs(options.timing));
    faults.push(fault);
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}

function nodeFault(draw: Draw, kind: Exclude<SwarmFaultKind, 'cli' | SwarmEtcdFaultKind>, node: string, atMs: number, lastAtMs: number): NodeFault {
  const { prng, options } = draw;
  const clientMs = options.timing.watchdogClientTimeoutMs;
  const roomMs = Math.max(0, lastAtMs - atMs);
  switch (kind) {
    case 'kill':
      return { kind, atMs, node, daemon: (['crm', 'lrm', 'mux'] as const)[weightedIndex(prng, [2, 2, 1])]! };
    case 'pause': {
      const target = (['crm', 'lrm', 'mux', 'node'] as const)[weightedIndex(prng, [2, 2, 1, 2])]!;
      // Below the device timeout, between it and the client timeout, or beyond the client timeout.
      const band = weightedIndex(prng, [2, 1, 1]);
      const durationMs = [between(prng, 200, 1_500), between(prng, 1_500, clientMs), between(prng, clientMs, 2.5 * clientMs)][band]!;
      return { kind, atMs, node, target, durationMs: Math.min(durationMs, roomMs), isBeyondQuorum: false };
    }
    case 'cut':
    case 'restart-cut': {
      // Shorter than the client timeout (the node renews again in time) or well beyond the lease timeout.
      const isShort = kind === 'cut' && prng.next() < 0.4;
      const durationMs = isShort ? between(prng, 500, clientMs) : between(prng, clientMs, 3 * options.timing.leaseTimeoutMs);
      return { kind, atMs, node, durationMs: Math.min(durationMs, roomMs) };
    }
    case 'reboot':
    case 'reset':
      return { kind, atMs, node, delayMs: between(prng, REBOOT_DELAY_MS_MIN, REBOOT_DELAY_MS_MAX) };
  }
}

export function isEtcdFaultKind(kind: SwarmFaultKind): kind is SwarmEtcdFaultKind {
  return (SWARM_ETCD_FAULT_KINDS as readonly string[]).includes(kind);
}

export function isEtcdFault(fault: SwarmFault): fault is EtcdFault {
  return isEtcdFaultKind(fault.kind);
}

function etcdFault(prng: Prng, kind: SwarmEtcdFaultKind, atMs: number, lastAtMs: number): EtcdFault {
  const member = prng.int(ETCD_MEMBERS);
  const durationMs = kind === 'etcd-majority' ? between(prng, ETCD_MAJORITY_LOSS_MS_MIN, ETCD_MAJORITY_LOSS_MS_MAX) : between(prng, ETCD_MEMBER_DOWN_MS_MIN, ETCD_MEMBER_DOWN_MS_MAX);
  return { kind, atMs, member, durationMs: Math.min(durationMs, Math.max(0, lastAtMs - atMs)) };
}

/** A CLI request, and for a flip its undo (`--state started`, maintenance off) before the faults stop. */
function cliRequest(draw: Draw, atMs: number, lastAtMs: number): SwarmFault[] {
  const { prng, nodes, sids } = draw;
  const sid = sids[prng.int(sids.length)]!;
  const node = nodes[prng.int(nodes.length)]!;
  const undoAtMs = Math.min(atMs + between(prng, UNDO_MS_MIN, UNDO_MS_MAX), lastAtMs);
  const request = (args: string[]): SwarmFault => ({ kind: 'cli', atMs, args, isUndo: false });
  const undoing = (args: string[]): SwarmFault => ({ kind: 'cli', atMs: undoAtMs, args, isUndo: true });
  const undo = (args: string[]): SwarmFault[] => (undoAtMs > atMs ? [request(args), undoing(['set', sid, '--state', 'started'])] : []);
  switch (weightedIndex(prng, [5, 3, 2, 3, 2, 2])) {
    case 0:
      return [request(['migrate', sid, node])];
    case 1:
      return [request(['relocate', sid, node])];
    case 2:
      return undo(['crm-command', 'stop', sid, String(prng.next() < 0.5 ? 0 : 10)]);
    case 3: {
      if (undoAtMs <= atMs) return [];
      return [request(['crm-command', 'node-maintenance', 'enable', node]), undoing(['crm-command', 'node-maintenance', 'disable', node])];
    }
    case 4:
      return undo(['set', sid, '--state', 'disabled']);
    default:
      return undo(['set', sid, '--state', 'ignored']);
  }
}

/** How long the fault itself lasts (a kill is instant; a reboot lasts its delay and the LRM's stop). */
export function faultLengthMs(fault: SwarmFault): number {
  switch (fault.kind) {
    case 'kill':
    case 'cli':
      return 0;
    case 'pause':
    case 'cut':
    case 'restart-cut':
    case 'etcd-kill':
    case 'etcd-leader':
    case 'etcd-pause':
    case 'etcd-majority':
      return fault.durationMs;
    case 'reboot':
    case 'reset':
      return fault.delayMs;
  }
}

function pickKind(prng: Prng, kinds: readonly SwarmFaultKind[]): SwarmFaultKind {
  return kinds[weightedIndex(prng, kinds.map((kind) => KIND_WEIGHTS[kind]))]!;
}

function weightedIndex(prng: Prng, weights: readonly number[]): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let left = prng.next() * total;
  for (let index = 0; index < weights.length; index++) {
    left -= weights[index]!;
    if (left < 0) return index;
  }
  return weights.length - 1;
}

function between(prng: Prng, lowMs: number, highMs: number): number {
  return Math.round(lowMs + prng.next() * (highMs - lowMs));
}

/** One line for the schedule and the progress output, e.g. `kill -9 the lrm of node2`. */
export function describeFault(fault: SwarmFault): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  switch (fault.kind) {
    case 'kill':
      return `kill -9 the ${fault.daemon} of ${fault.node}`;
    case 'pause': {
      const what = fault.target === 'node' ? `every process of ${fault.node}` : `the ${fault.target} of ${fault.node}`;
      return `SIGSTOP ${what} for ${seconds(fault.durationMs)}${fault.isBeyondQuorum ? ' (beyond the quorum limit)' : ''}`;
    }
    case 'cut':
      return `cut ${fault.node} from the store for ${seconds(fault.durationMs)}`;
    case 'restart-cut':
      return `restart the lrm of ${fault.node}, then cut ${fault.node} at once for ${seconds(fault.durationMs)}`;
    case 'reboot':
      return `reboot ${fault.node} cleanly, down for ${seconds(fault.delayMs)}`;
    case 'reset':
      return `reset ${fault.node} (every process killed), down for ${seconds(fault.delayMs)}`;
    case 'cli':
      return `ha-manager ${fault.args.join(' ')}`;
    case 'etcd-kill':
      return `kill -9 etcd member m${fault.member}, started again after ${seconds(fault.durationMs)}`;
    case 'etcd-leader':
      return `kill -9 the etcd leader, started again after ${seconds(fault.durationMs)}`;
    case 'etcd-pause':
      return `SIGSTOP etcd member m${fault.member} for ${seconds(fault.durationMs)}`;
    case 'etcd-majority':
      return `kill -9 an etcd majority (the leader among it), started again after ${seconds(fault.durationMs)}`;
  }
}
