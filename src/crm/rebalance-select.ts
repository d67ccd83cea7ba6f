import { assert, assertNever } from '../common/assert.ts';
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
  /**
   * The leader's preferred nodes, sorted by name; the targets are these less `excluded` and the
   * source. Candidates share one array when their preferences are the same (the common case), so
   * that it is turned into node indexes once.
   */
  readonly preferred: readonly string[];
  /** The leader's separate nodes. */
  readonly excluded: ReadonlySet<string>;
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

/**
 * Every (bundle, target) pair in candidate order (bundles by leader, targets by name), as node
 * indexes: each candidate's source, and its preferred nodes (one array per distinct preference list).
 */
class MoveSpace {
  readonly sources: Int32Array;
  readonly preferred: Int32Array[];
  /** The first row (move number) of each candidate, and the total after the last. */
  readonly rowStart: Int32Array;
  readonly count: number;

  constructor(
    readonly candidates: readonly MigrationCandidate[],
    indexOf: ReadonlyMap<string, number>,
  ) {
    const byList = new Map<readonly string[], { indexes: Int32Array; positionOf: Int32Array }>();
    this.sources = Int32Array.from(candidates, (candidate) => indexOf.get(candidate.source)!);
    this.rowStart = new Int32Array(candidates.length + 1);
    this.preferred = candidates.map((candidate, index) => {
      let list = byList.get(candidate.preferred);
      if (list === undefined) {
        const indexes = Int32Array.from(candidate.preferred, (node) => indexOf.get(node)!);
        const positionOf = new Int32Array(indexOf.size).fill(-1);
        indexes.forEach((node, position) => (positionOf[node] = position));
        list = { indexes, positionOf };
        byList.set(candidate.preferred, list);
      }
      let targets = list.indexes.length - (list.positionOf[this.sources[index]!]! >= 0 ? 1 : 0);
      for (const node of candidate.excluded) if (node !== candidate.source && list.positionOf[indexOf.get(node) ?? -1]! >= 0) targets--;
      this.rowStart[index + 1] = this.rowStart[index]! + targets;
      return list.indexes;
    });
    this.count = this.rowStart[candidates.length]!;
  }

  /** Whether the candidate's preferred node at `position` is one of its targets. */
  isTarget(index: number, position: number): boolean {
    const candidate = this.candidates[index]!;
    if (this.preferred[index]![position] === this.sources[index]) return false;
    return candidate.excluded.size === 0 || !candidate.excluded.has(candidate.preferred[position]!);
  }

  /** The move of a row. */
  moveAt(row: number): Move {
    let low = 0;
    let high = this.candidates.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.rowStart[middle]! <= row) low = middle;
      else high = middle - 1;
    }
    let skip = row - this.rowStart[low]!;
    const preferred = this.preferred[low]!;
    for (let position = 0; position < preferred.length; position++) {
      if (!this.isTarget(low, position)) continue;
      if (skip-- === 0) return { index: low, target: preferred[position]! };
    }
    return assertNever(row as never, 'move row');
  }
}

/** A move: the candidate's index and the target's node index. */
interface Move {
  readonly index: number;
  readonly target: number;
}

/**
 * The best single move (README-5.2 §7.4 step 3): `bruteforce` takes the lowest imbalance after the
 * move (truncated to 15 decimals; ties by leader, source, target), `topsis` the best TOPSIS score of
 * the four criteria of §7.2 on the nodes after the move (ties keep candidate order). Undefined when
 * there is no move. Every source and target must be one of `nodes` (the caller validated them).
 */
export function bestMigration(nodes: readonly BalanceNode[], candidates: readonly MigrationCandidate[], method: RebalanceMethod): ChosenMigration | undefined {
  const space = new MoveSpace(candidates, new Map(nodes.map((node, index) => [node.node, index])));
  if (space.count === 0) return undefined;
  const table = new NodeTable(nodes);
  const move = method === 'topsis' ? bestByTopsis(table, space) : bestByImbalance(table, space);
  const candidate = candidates[move.index]!;
  return { leader: candidate.leader, source: candidate.source, target: nodes[move.target]!.node, imbalanceAfter: exactImbalanceAfter(table, candidate, space.sources[move.index]!, move.target) };
}

/** The nodes a candidate may move to, sorted by name. */
export function targetsOf(candidate: MigrationCandidate): string[] {
  return candidate.preferred.filter((node) => node !== candidate.source && !candidate.excluded.has(node));
}

/** The nodes' capacities and use as flat arrays, and each node's load (nodeLoad). */
class NodeTable {
  readonly cpu: Float64Array;
  readonly mem: Float64Array;
  readonly maxCpu: Float64Array;
  readonly maxMem: Float64Array;
  readonly loads: Float64Array;

  constructor(nodes: readonly BalanceNode[]) {
    this.cpu = Float64Array.from(nodes, (node) => node.cpu);
    this.mem = Float64Array.from(nodes, (node) => node.memBytes);
    this.maxCpu = Float64Array.from(nodes, (node) => node.maxCpu);
    this.maxMem = Float64Array.from(nodes, (node) => node.maxMemBytes);
    this.loads = Float64Array.from(nodes, nodeLoad);
  }

  /** The load of node `index` with `load` taken away (floored at 0) or added: nodeLoad's arithmetic exactly. */
  loadAfter(index: number, load: ServiceLoad, sign: 1 | -1): number {
    const cpu = sign === 1 ? this.cpu[index]! + load.cpu : Math.max(this.cpu[index]! - load.cpu, 0);
    const mem = sign === 1 ? this.mem[index]! + load.memBytes : Math.max(this.mem[index]! - load.memBytes, 0);
    return (ratioOf(cpu, this.maxCpu[index]!) + ratioOf(mem, this.maxMem[index]!)) / 2;
  }

  cpuRatioAfter(index: number, load: ServiceLoad, sign: 1 | -1): number {
    const cpu = sign === 1 ? this.cpu[index]! + load.cpu : Math.max(this.cpu[index]! - load.cpu, 0);
    return ratioOf(cpu, this.maxCpu[index]!);
  }

  memRatioAfter(index: number, load: ServiceLoad, sign: 1 | -1): number {
    const mem = sign === 1 ? this.mem[index]! + load.memBytes : Math.max(this.mem[index]! - load.memBytes, 0);
    return ratioOf(mem, this.maxMem[index]!);
  }
}

function exactImbalanceAfter(table: NodeTable, candidate: MigrationCandidate, sourceIndex: number, targetIndex: number): number {
  const loads = Array.from(table.loads);
  loads[sourceIndex] = table.loadAfter(sourceIndex, candidate.load, -1);
  loads[targetIndex] = table.loadAfter(targetIndex, candidate.load, 1);
  return imbalanceOf(loads);
}

/**
 * Bruteforce at the cost of O(1) per move: only the source's and the target's loads change, so the
 * sums of the loads and of their squared distances to the present mean are updated, not recomputed.
 * A second sweep computes the moves near the best exactly and compares them as the reference does.
 */
function bestByImbalance(table: NodeTable, space: MoveSpace): Move {
  const near = sweep(space, table, new QuickImbalance(table));
  let chosen: Move | undefined;
  let chosenValue = Infinity;
  for (const row of near) {
    const move = space.moveAt(row);
    const exact = truncateImbalance(exactImbalanceAfter(table, space.candidates[move.index]!, space.sources[move.index]!, move.target));
    // Strictly lower only: rows run in (leader, source, target) order, so the first of equals wins.
    if (exact < chosenValue) {
      chosen = move;
      chosenValue = exact;
    }
  }
  assert(chosen !== undefined, 'The best quick imbalance is a move');
  return chosen;
}

/** The sums the quick imbalance updates per move. */
class QuickImbalance {
  readonly count: number;
  readonly sum: number;
  readonly shift: number;
  readonly squares: number;

  constructor(table: NodeTable) {
    const loads = table.loads;
    this.count = loads.length;
    let sum = 0;
    for (const load of loads) sum += load;
    this.sum = sum;
    this.shift = sum / this.count;
    let squares = 0;
    for (const load of loads) squares += (load - this.shift) ** 2;
    this.squares = squares;
  }
}

/**
 * The rows (in order) whose quick imbalance is within NEAR_BEST of the lowest, at most
 * EXACT_RECHECKS_MAX of them: one pass, each target's share of a node's load precomputed.
 */
function sweep(space: MoveSpace, table: NodeTable, quick: QuickImbalance): number[] {
  const { loads } = table;
  const { count, shift } = quick;
  const nodes = loads.length;
  const cpuShare = new Float64Array(nodes); // the load a CPU adds to the node
  const memShare = new Float64Array(nodes);
  const oldSquares = new Float64Array(nodes);
  for (let node = 0; node < nodes; node++) {
    cpuShare[node] = table.maxCpu[node]! > 0 ? 0.5 / table.maxCpu[node]! : 0;
    memShare[node] = table.maxMem[node]! > 0 ? 0.5 / table.maxMem[node]! : 0;
    oldSquares[node] = (loads[node]! - shift) ** 2;
  }
  let best = Infinity;
  let rows: number[] = [];
  let values: number[] = [];
  let row = 0;
  for (let index = 0; index < space.candidates.length; index++) {
    const { load, excluded, preferred: names } = space.candidates[index]!;
    const source = space.sources[index]!;
    const sourceLoad = table.loadAfter(source, load, -1); // the same for every target of the bundle
    const baseSum = quick.sum - loads[source]! + sourceLoad;
    const baseSquares = quick.squares - oldSquares[source]! + (sourceLoad - shift) ** 2;
    const preferred = space.preferred[index]!;
    for (let position = 0; position < preferred.length; position++) {
      const target = preferred[position]!;
      // space.isTarget, inline: this loop runs once per move.
      if (target === source || (excluded.size > 0 && excluded.has(names[position]!))) continue;
      const targetLoad = loads[target]! + load.cpu * cpuShare[target]! + load.memBytes * memShare[target]!;
      const newSum = baseSum - loads[target]! + targetLoad;
      const mean = newSum / count;
      const variance = (baseSquares - oldSquares[target]! + (targetLoad - shift) ** 2) / count - (mean - shift) ** 2;
      const value = newSum === 0 ? 0 : Math.sqrt(Math.max(variance, 0)) / mean;
      if (value < best - NEAR_BEST) {
        best = value;
        rows = [row];
        values = [value];
      } else if (value <= best + NEAR_BEST) {
        best = Math.min(best, value);
        if (rows.length < EXACT_RECHECKS_MAX) {
          rows.push(row);
          values.push(value);
        }
      }
      row++;
    }
  }
  return rows.filter((_, at) => values[at]! <= best + NEAR_BEST);
}

/**
 * TOPSIS over every move, with the criteria of §7.2 on the nodes after it. The root mean squares and
 * the highest loads are updated per move from the sums and the three highest loads of all nodes.
 */
function bestByTopsis(table: NodeTable, space: MoveSpace): Move {
  const cpu = new LoadColumn(Float64Array.from(table.cpu, (used, index) => ratioOf(used, table.maxCpu[index]!)));
  const mem = new LoadColumn(Float64Array.from(table.mem, (used, index) => ratioOf(used, table.maxMem[index]!)));
  const columns = CRITERIA_WEIGHTS.map(() => new Float64Array(space.count));
  let row = 0;
  for (let index = 0; index < space.candidates.length; index++) {
    const load = space.candidates[index]!.load;
    const source = space.sources[index]!;
    const preferred = space.preferred[index]!;
    for (let position = 0; position < preferred.length; position++) {
      if (!space.isTarget(index, position)) continue;
      const target = preferred[position]!;
      cpu.after(source, table.cpuRatioAfter(source, load, -1), target, table.cpuRatioAfter(target, load, 1));
      columns[0]![row] = 1 + cpu.rms;
      columns[1]![row] = 1 + cpu.highest;
      mem.after(source, table.memRatioAfter(source, load, -1), target, table.memRatioAfter(target, load, 1));
      columns[2]![row] = 1 + mem.rms;
      columns[3]![row++] = 1 + mem.highest;
    }
  }
  const scores = topsisScores(columns, CRITERIA_WEIGHTS);
  let best = -Infinity;
  for (const score of scores) if (score > best) best = score;
  let chosen = 0;
  while (scores[chosen]! < best - TOPSIS_TIE) chosen++;
  return space.moveAt(chosen);
}

function ratioOf(used: number, capacity: number): number {
  return capacity > 0 ? used / capacity : 0;
}

/**
 * One criterion's relative loads over all nodes, asked what its RMS and highest value become when two
 * entries change; the answer is left in `rms` and `highest` (no object per move).
 */
class LoadColumn {
  rms = 0;
  highest = 0;
  private readonly squares: number;
  /** Indexes of the three highest loads, highest first: at most two of them can be the changed ones. */
  private readonly top: number[];

  constructor(private readonly loads: Float64Array) {
    let squares = 0;
    for (const load of loads) squares += load * load;
    this.squares = squares;
    this.top = Array.from(loads.keys())
      .sort((a, b) => loads[b]! - loads[a]!)
      .slice(0, 3);
  }

  after(first: number, firstLoad: number, second: number, secondLoad: number): void {
    const squares = this.squares - this.loads[first]! ** 2 - this.loads[second]! ** 2 + firstLoad ** 2 + secondLoad ** 2;
    let highest = Math.max(firstLoad, secondLoad);
    for (const index of this.top) {
      if (index === first || index === second) continue;
      highest = Math.max(highest, this.loads[index]!);
      break;
    }
    this.rms = Math.sqrt(Math.max(squares, 0) / this.loads.length);
    this.highest = highest;
  }
}
