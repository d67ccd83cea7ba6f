import { assert } from '../common/assert.ts';

/** Load of one online node, for the static and dynamic placement modes. */
export interface StaticNodeLoad {
  readonly node: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly usedCpu: number;
  readonly usedMemBytes: number;
}

/** Criteria weights: RMS of the CPU loads, highest CPU load, RMS of the memory loads, highest memory load (all minimised). */
export const CRITERIA_WEIGHTS: readonly number[] = [1, 2, 5, 10];

/** CPU a service adds to a node: a service with no CPU limit may use all of the node's CPUs. */
export function cpuAddedTo(nodeCpus: number, serviceMaxCpu: number): number {
  return serviceMaxCpu === 0 ? nodeCpus : serviceMaxCpu;
}

/**
 * TOPSIS scores (higher is better) of placing a service of the given size on each node. Every
 * online node is an alternative; for each, the resulting relative loads of all nodes give the four
 * criteria of `loadCriteria`. `nodes` must be sorted by name: sums run in that order.
 */
export function staticScores(nodes: readonly StaticNodeLoad[], maxCpu: number, maxMemBytes: number): Map<string, number> {
  assert(nodes.length > 0, 'Static scoring needs at least one node');
  const cpuLoads = new Array<number>(nodes.length);
  const memLoads = new Array<number>(nodes.length);
  const columns = CRITERIA_WEIGHTS.map(() => new Float64Array(nodes.length));
  nodes.forEach((_, targetIndex) => {
    nodes.forEach((load, index) => {
      const isTarget = index === targetIndex;
      cpuLoads[index] = (load.usedCpu + (isTarget ? cpuAddedTo(load.cpus, maxCpu) : 0)) / load.cpus;
      memLoads[index] = (load.usedMemBytes + (isTarget ? maxMemBytes : 0)) / load.memoryBytes;
    });
    loadCriteria(cpuLoads, memLoads).forEach((value, column) => (columns[column]![targetIndex] = value));
  });
  const scores = topsisScores(columns, CRITERIA_WEIGHTS);
  const byNode = new Map<string, number>();
  nodes.forEach((load, index) => byNode.set(load.node, scores[index]!));
  assert(byNode.size === nodes.length, 'Static scoring needs distinct node names');
  return byNode;
}

/**
 * The four criteria of one outcome, from every node's relative CPU and memory load: 1 + the root
 * mean square and 1 + the highest of each. The 1 keeps tiny loads from making tiny differences look
 * large once TOPSIS normalises the columns (README-5.2 §7.2, both corrections of the older text).
 */
export function loadCriteria(cpuLoads: readonly number[], memLoads: readonly number[]): number[] {
  let highestCpu = 0;
  let squaresCpu = 0;
  let highestMem = 0;
  let squaresMem = 0;
  for (let index = 0; index < cpuLoads.length; index++) {
    const cpu = cpuLoads[index]!;
    const mem = memLoads[index]!;
    highestCpu = Math.max(highestCpu, cpu);
    squaresCpu += cpu * cpu;
    highestMem = Math.max(highestMem, mem);
    squaresMem += mem * mem;
  }
  const count = cpuLoads.length;
  return [1 + Math.sqrt(squaresCpu / count), 1 + highestCpu, 1 + Math.sqrt(squaresMem / count), 1 + highestMem];
}

/**
 * TOPSIS over alternatives of minimised criteria, given column by column (one array per criterion,
 * one entry per alternative): each column divided by its Euclidean norm (an all-zero column is left as
 * it is), weighted by the weights normalised to sum 1; the ideal is each column's minimum, the
 * anti-ideal its maximum; score = distance to the anti-ideal / (distance to the ideal + distance to
 * the anti-ideal), 0 when both are 0. Higher is better.
 */
export function topsisScores(columns: ReadonlyArray<ArrayLike<number>>, weights: readonly number[]): Float64Array {
  assert(columns.length === weights.length, 'TOPSIS needs one weight per criterion');
  const count = columns[0]?.length ?? 0;
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const weighted: Float64Array[] = [];
  const best: number[] = [];
  const worst: number[] = [];
  for (let index = 0; index < columns.length; index++) {
    const column = columns[index]!;
    let squares = 0;
    for (let row = 0; row < count; row++) squares += column[row]! ** 2;
    const norm = Math.sqrt(squares);
    const weight = weights[index]! / weightSum;
    const scaled = new Float64Array(count);
    let min = Infinity;
    let max = -Infinity;
    for (let row = 0; row < count; row++) {
      const value = norm === 0 ? column[row]! * weight : (column[row]! / norm) * weight;
      scaled[row] = value;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    weighted.push(scaled);
    best.push(min);
    worst.push(max);
  }
  const scores = new Float64Array(count);
  for (let row = 0; row < count; row++) {
    let toBest = 0;
    let toWorst = 0;
    for (let index = 0; index < weighted.length; index++) {
      const value = weighted[index]![row]!;
      toBest += (value - best[index]!) ** 2;
      toWorst += (value - worst[index]!) ** 2;
    }
    toBest = Math.sqrt(toBest);
    toWorst = Math.sqrt(toWorst);
    scores[row] = toBest + toWorst === 0 ? 0 : toWorst / (toWorst + toBest);
  }
  return scores;
}
