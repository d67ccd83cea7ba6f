import type { RebalanceMethod } from '../common/ha-config.ts';
import type { ServiceLoad } from '../common/lrm-status.ts';
import { imbalanceOf, nodeLoad, truncateImbalance } from './imbalance.ts';
import type { BalanceNode } from './node-usage.ts';
import { CRITERIA_WEIGHTS, topsisScores } from './static-score.ts';

/** A bundle of services that may move together, and where to (README-5.2 §7.4 step 2). */
export interface MigrationCandidate {
  /** The bundle's smallest sid; candidates come sorted by it. */
  readonly leader: string;
  readonly source: string;
  /** Sorted by name. */
  readonly targets: readonly string[];
  /** The bundle's members' loads added up. */
  readonly load: ServiceLoad;
}

export interface ChosenMigration {
  readonly leader: string;
  readonly source: string;
  readonly target: string;
  readonly imbalanceAfter: number;
}

/**
 * Moves whose quickly computed imbalance is this close to the best are computed again the exact way
 * (sums in node order) before the best is chosen: the quick sums differ from it in the last bits.
 */
const NEAR_BEST = 1e-9;
/** At most this many near-best moves are computed exactly; more would be ties in all but the last bits, and the first in order wins those. */
const EXACT_RECHECKS_MAX = 4096;
/** TOPSIS scores this close to the best count as ties, which keep candidate order. */
const TOPSIS_TIE = 1e-12;

/** A flat view of every (bundle, target) pair, in candidate order: bundles by leader, targets by name. */
interface Moves {
  readonly candidate: Int32Array;
  readonly target: Int32Array;
}

/**
 * The best single move (README-5.2 §7.4 step 3): `bruteforce` takes the lowest imbalance after the
 * move (truncated to 15 decimals; ties by leader, source, target), `topsis` the best TOPSIS score of
 * the four criteria of §7.2 on the nodes after the move (ties keep candidate order). Undefined when
 * there is no move. Every source and target must be one of `nodes` (the caller validated them).
 */
export function bestMigration(nodes: readonly BalanceNode[], candidates: readonly MigrationCandidate[], method: RebalanceMethod): ChosenMigration | undefined {
  const indexOf = new Map(nodes.map((node, index) => [node.node, index]));
  const moves = flatten(candidates, indexOf);
  if (moves.candidate.length === 0) return undefined;
  const chosen = method === 'topsis' ? bestByTopsis(nodes, candidates, moves, indexOf) : bestByImbalance(nodes, candidates, moves, indexOf);
  const candidate = candidates[moves.candidate[chosen]!]!;
  const target = nodes[moves.target[chosen]!]!.node;
  return { leader: candidate.leader, source: candidate.source, target, imbalanceAfter: exactImbalanceAfter(nodes, candidate, indexOf, moves.target[chosen]!) };
}

function flatten(candidates: readonly MigrationCandidate[], indexOf: ReadonlyMap<string, number>): Moves {
  let count = 0;
  for (const candidate of candidates) count += candidate.targets.length;
  const moves = { candidate: new Int32Array(count), target: new Int32Array(count) };
  let at = 0;
  candidates.forEach((candidate, index) => {
    for (const target of candidate.targets) {
      moves.candidate[at] = index;
      moves.target[at++] = indexOf.get(target)!;
    }
  });
  return moves;
}

/** The two nodes of a move as they would be after it: the source floored at 0. */
function movedNodes(source: BalanceNode, target: BalanceNode, load: ServiceLoad): [BalanceNode, BalanceNode] {
  return [
    { ...source, cpu: Math.max(source.cpu - load.cpu, 0), memBytes: Math.max(source.memBytes - load.memBytes, 0) },
    { ...target, cpu: target.cpu + load.cpu, memBytes: target.memBytes + load.memBytes },
  ];
}

function exactImbalanceAfter(nodes: readonly BalanceNode[], candidate: MigrationCandidate, indexOf: ReadonlyMap<string, number>, targetIndex: number): number {
  const sourceIndex = indexOf.get(candidate.source)!;
  const [source, target] = movedNodes(nodes[sourceIndex]!, nodes[targetIndex]!, candidate.load);
  const loads = nodes.map(nodeLoad);
  loads[sourceIndex] = nodeLoad(source);
  loads[targetIndex] = nodeLoad(target);
  return imbalanceOf(loads);
}

/**
 * Bruteforce at the cost of O(1) per move: only the source's and the target's loads change, so the
 * sums of the loads and of their squared distances to the present mean are updated, not recomputed.
 * The moves near the best are then computed exactly and compared as the reference compares them.
 */
function bestByImbalance(nodes: readonly BalanceNode[], candidates: readonly MigrationCandidate[], moves: Moves, indexOf: ReadonlyMap<string, number>): number {
  const loads = nodes.map(nodeLoad);
  const count = loads.length;
  const sum = loads.reduce((total, load) => total + load, 0);
  const shift = sum / count;
  const squares = loads.reduce((total, load) => total + (load - shift) ** 2, 0);
  const quick = new Float64Array(moves.candidate.length);
  let best = Infinity;
  for (let move = 0; move < quick.length; move++) {
    const candidate = candidates[moves.candidate[move]!]!;
    const sourceIndex = indexOf.get(candidate.source)!;
    const targetIndex = moves.target[move]!;
    const [source, target] = movedNodes(nodes[sourceIndex]!, nodes[targetIndex]!, candidate.load);
    const sourceLoad = nodeLoad(source);
    const targetLoad = nodeLoad(target);
    const oldSource = loads[sourceIndex]!;
    const oldTarget = loads[targetIndex]!;
    const newSum = sum - oldSource - oldTarget + sourceLoad + targetLoad;
    const newSquares = squares - (oldSource - shift) ** 2 - (oldTarget - shift) ** 2 + (sourceLoad - shift) ** 2 + (targetLoad - shift) ** 2;
    const mean = newSum / count;
    const variance = Math.max(newSquares / count - (mean - shift) ** 2, 0);
    quick[move] = newSum === 0 ? 0 : Math.sqrt(variance) / mean;
    if (quick[move]! < best) best = quick[move]!;
  }
  let chosen = -1;
  let chosenValue = Infinity;
  let rechecked = 0;
  for (let move = 0; move < quick.length && rechecked < EXACT_RECHECKS_MAX; move++) {
    if (quick[move]! > best + NEAR_BEST) continue;
    rechecked++;
    const exact = truncateImbalance(exactImbalanceAfter(nodes, candidates[moves.candidate[move]!]!, indexOf, moves.target[move]!));
    // Strictly lower only: moves run in (leader, source, target) order, so the first of equals wins.
    if (exact < chosenValue) {
      chosen = move;
      chosenValue = exact;
    }
  }
  return chosen;
}

/**
 * TOPSIS over every move, with the criteria of §7.2 on the nodes after it. The root mean squares and
 * the highest loads are updated per move from the sums and the three highest loads of all nodes.
 */
function bestByTopsis(nodes: readonly BalanceNode[], candidates: readonly MigrationCandidate[], moves: Moves, indexOf: ReadonlyMap<string, number>): number {
  const cpuLoads = nodes.map((node) => (node.maxCpu > 0 ? node.cpu / node.maxCpu : 0));
  const memLoads = nodes.map((node) => (node.maxMemBytes > 0 ? node.memBytes / node.maxMemBytes : 0));
  const cpu = new LoadColumn(cpuLoads);
  const mem = new LoadColumn(memLoads);
  const columns = CRITERIA_WEIGHTS.map(() => new Float64Array(moves.candidate.length));
  for (let move = 0; move < moves.candidate.length; move++) {
    const candidate = candidates[moves.candidate[move]!]!;
    const sourceIndex = indexOf.get(candidate.source)!;
    const targetIndex = moves.target[move]!;
    const [source, target] = movedNodes(nodes[sourceIndex]!, nodes[targetIndex]!, candidate.load);
    const cpuAfter = cpu.after(sourceIndex, ratioOf(source.cpu, source.maxCpu), targetIndex, ratioOf(target.cpu, target.maxCpu));
    const memAfter = mem.after(sourceIndex, ratioOf(source.memBytes, source.maxMemBytes), targetIndex, ratioOf(target.memBytes, target.maxMemBytes));
    columns[0]![move] = 1 + cpuAfter.rms;
    columns[1]![move] = 1 + cpuAfter.highest;
    columns[2]![move] = 1 + memAfter.rms;
    columns[3]![move] = 1 + memAfter.highest;
  }
  const scores = topsisScores(columns, CRITERIA_WEIGHTS);
  let best = -Infinity;
  for (const score of scores) if (score > best) best = score;
  return scores.findIndex((score) => score >= best - TOPSIS_TIE);
}

function ratioOf(used: number, capacity: number): number {
  return capacity > 0 ? used / capacity : 0;
}

/** One criterion's relative loads over all nodes, asked what its RMS and highest value become when two entries change. */
class LoadColumn {
  private readonly squares: number;
  /** Indexes of the three highest loads, highest first: at most two of them can be the changed ones. */
  private readonly top: number[];

  constructor(private readonly loads: readonly number[]) {
    this.squares = loads.reduce((total, load) => total + load * load, 0);
    this.top = loads
      .map((_, index) => index)
      .sort((a, b) => loads[b]! - loads[a]!)
      .slice(0, 3);
  }

  after(first: number, firstLoad: number, second: number, secondLoad: number): { rms: number; highest: number } {
    const squares = this.squares - this.loads[first]! ** 2 - this.loads[second]! ** 2 + firstLoad ** 2 + secondLoad ** 2;
    let highest = Math.max(firstLoad, secondLoad);
    const untouched = this.top.find((index) => index !== first && index !== second);
    if (untouched !== undefined) highest = Math.max(highest, this.loads[untouched]!);
    return { rms: Math.sqrt(Math.max(squares, 0) / this.loads.length), highest };
  }
}
