import type { BalanceNode } from './node-usage.ts';

/** A node's load for the imbalance measure: the mean of its relative CPU and memory use. */
export function nodeLoad(node: BalanceNode): number {
  return (ratio(node.cpu, node.maxCpu) + ratio(node.memBytes, node.maxMemBytes)) / 2;
}

function ratio(used: number, capacity: number): number {
  return capacity > 0 ? used / capacity : 0;
}

/**
 * The cluster's imbalance (README-5.2 §7.5): the population standard deviation of the node loads
 * divided by their mean (coefficient of variation), 0 when every load is 0. Not clamped: one loaded
 * node among three gives √2. Sums run in the order given (sorted by node name), as the reference's do.
 */
export function imbalanceOf(loads: readonly number[]): number {
  const count = loads.length;
  if (count === 0) return 0;
  let sum = 0;
  for (const load of loads) sum += load;
  if (sum === 0) return 0;
  const mean = sum / count;
  let squares = 0;
  for (const load of loads) squares += (load - mean) ** 2;
  return Math.sqrt(squares / count) / mean;
}

export function clusterImbalance(nodes: readonly BalanceNode[]): number {
  return imbalanceOf(nodes.map(nodeLoad));
}

/** Imbalances are compared after truncation to 15 decimal places, as the reference compares them. */
export function truncateImbalance(value: number): number {
  return Math.trunc(value * 1e15) / 1e15;
}
