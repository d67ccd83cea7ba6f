import type { NodeAffinityRule, ResourceAffinityRule } from '../../../src/common/ha-config.ts';

/** Rule values for the rules tests, in the shape rules.cfg gives them. */
export const nodeRule = (id: string, resources: string[], nodes: Record<string, number>, strict = false): NodeAffinityRule => ({
  type: 'node-affinity',
  id,
  resources,
  nodes,
  strict,
  isDisabled: false,
});
export const positive = (id: string, resources: string[]): ResourceAffinityRule => ({ type: 'resource-affinity', id, resources, affinity: 'positive', isDisabled: false });
export const negative = (id: string, resources: string[]): ResourceAffinityRule => ({ type: 'resource-affinity', id, resources, affinity: 'negative', isDisabled: false });
export const NODES3 = ['node1', 'node2', 'node3'];
