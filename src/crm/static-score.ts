import { assert } from '../common/assert.ts';

/** Load of one online node, for the static placement mode. */
export interface StaticNodeLoad {
  readonly node: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly usedCpu: number;
  readonly usedMemBytes: number;
}

/** Criteria weights: average CPU, highest CPU, average memory, highest memory (all minimised). */
const CRITERIA_WEIGHTS = [1, 2, 5, 10] as const;
const WEIGHT_SUM = CRITERIA_WEIGHTS.reduce((sum, weight) => sum + weight, 0);

/** CPU a service adds to a node: a service with no CPU limit may use all of the node's CPUs. */
export function cpuAddedTo(nodeCpus: number, serviceMaxCpu: number): number {
  return serviceMaxCpu === 0 ? nodeCpus : serviceMaxCpu;
}

/**
 * TOPSIS scores (higher is better) of placing a service of the given size on each node. Every
 * online node is an alternative; for each, the resulting relative loads of all nodes give four
 * criteria. The root mean square and the maximum each get 1.0 added, so that tiny loads do not make
 * tiny differences look large. `nodes` must be sorted by name: sums run in that order.
 */
export function staticScores(nodes: readonly StaticNodeLoad[], maxCpu: number, maxMemBytes: number): Map<string, number> {
  assert(nodes.length > 0, 'Static scoring needs at least one node');
  const rows = nodes.map((_, targetIndex) => criteriaFor(nodes, targetIndex, maxCpu, maxMemBytes));
  const weighted = normaliseAndWeight(rows);
  const best = [0, 1, 2, 3].map((column) => Math.min(...weighted.map((row) => row[column]!)));
  const worst = [0, 1, 2, 3].map((column) => Math.max(...weighted.map((row) => row[column]!)));
  const scores = new Map<string, number>();
  weighted.forEach((row, index) => {
    const toBest = distance(row, best);
    const toWorst = distance(row, worst);
    const score = toBest + toWorst === 0 ? 0 : toWorst / (toWorst + toBest);
    scores.set(nodes[index]!.node, score);
  });
  assert(scores.size === nodes.length, 'Static scoring needs distinct node names');
  return scores;
}

function criteriaFor(nodes: readonly StaticNodeLoad[], targetIndex: number, maxCpu: number, maxMemBytes: number): number[] {
  let highestCpu = 0;
  let squaresCpu = 0;
  let highestMem = 0;
  let squaresMem = 0;
  nodes.forEach((load, index) => {
    const isTarget = index === targetIndex;
    const cpu = (load.usedCpu + (isTarget ? cpuAddedTo(load.cpus, maxCpu) : 0)) / load.cpus;
    const mem = (load.usedMemBytes + (isTarget ? maxMemBytes : 0)) / load.memoryBytes;
    highestCpu = Math.max(highestCpu, cpu);
    squaresCpu += cpu * cpu;
    highestMem = Math.max(highestMem, mem);
    squaresMem += mem * mem;
  });
  const count = nodes.length;
  return [1 + Math.sqrt(squaresCpu / count), 1 + highestCpu, 1 + Math.sqrt(squaresMem / count), 1 + highestMem];
}

function normaliseAndWeight(rows: number[][]): number[][] {
  const norms = [0, 1, 2, 3].map((column) => Math.sqrt(rows.reduce((sum, row) => sum + row[column]! ** 2, 0)));
  return rows.map((row) =>
    row.map((value, column) => {
      const norm = norms[column]!;
      const weight = CRITERIA_WEIGHTS[column as 0 | 1 | 2 | 3] / WEIGHT_SUM;
      return norm === 0 ? value * weight : (value / norm) * weight;
    }),
  );
}

function distance(row: readonly number[], ideal: readonly number[]): number {
  let sum = 0;
  for (let column = 0; column < row.length; column++) sum += (row[column]! - ideal[column]!) ** 2;
  return Math.sqrt(sum);
}
